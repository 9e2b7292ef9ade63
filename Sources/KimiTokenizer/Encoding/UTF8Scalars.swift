/// Small helpers for walking valid UTF-8 bytes scalar by scalar.
enum UTF8Scalars {
    /// The length of the sequence a valid leading byte starts.
    @inline(__always)
    static func length(leadingByte byte: UInt8) -> Int {
        byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
    }

    /// The scalar of the three-byte sequence at `index` of valid UTF-8, or `nil` when none
    /// starts there: its 16 payload bits are the scalar, with no decoding by length.
    @inline(__always)
    static func threeByteScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index + 3 <= utf8.count, utf8[index] & 0xF0 == 0xE0 else { return nil }
        return Int(utf8[index] & 0x0F) << 12 | Int(utf8[index + 1] & 0x3F) << 6 | Int(utf8[index + 2] & 0x3F)
    }

    /// The 16 payload bits of the three-byte sequence at `index` of any bytes, or `nil` when none
    /// starts there: a lead byte `E0` to `EF` and two continuation bytes, by shape alone.
    @inline(__always)
    static func threeByteSequence(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 3 <= bytes.count, bytes[index] & 0xF0 == 0xE0, bytes[index + 1] & 0xC0 == 0x80,
            bytes[index + 2] & 0xC0 == 0x80
        else { return nil }
        return threeBytePayload(bytes[index], bytes[index + 1], bytes[index + 2])
    }

    /// The 11 payload bits of a two-byte sequence's bytes, which name it among such sequences.
    @inline(__always)
    static func twoBytePayload(_ lead: UInt8, _ second: UInt8) -> UInt32 {
        UInt32(lead & 0x1F) << 6 | UInt32(second & 0x3F)
    }

    /// The 16 payload bits of a three-byte sequence's bytes, which name it among such sequences.
    @inline(__always)
    static func threeBytePayload(_ lead: UInt8, _ second: UInt8, _ third: UInt8) -> UInt32 {
        UInt32(lead & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F)
    }

    /// The scalar starting at `index` of valid UTF-8, and its length, by a chain of tests on the
    /// lead byte (fewer instructions than a switch on the length).
    @inline(__always)
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(utf8[index])
        if lead < 0x80 { return (lead, 1) }
        let second = UInt32(utf8[index + 1] & 0x3F)
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | second, 2) }
        let third = UInt32(utf8[index + 2] & 0x3F)
        if lead < 0xF0 { return ((lead & 0x0F) << 12 | second << 6 | third, 3) }
        return ((lead & 0x07) << 18 | second << 12 | third << 6 | UInt32(utf8[index + 3] & 0x3F), 4)
    }
}
