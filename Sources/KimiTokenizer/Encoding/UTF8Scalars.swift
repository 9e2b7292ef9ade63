/// Small helpers for walking valid UTF-8 bytes scalar by scalar.
enum UTF8Scalars {
    /// The length of the sequence a valid leading byte starts.
    @inline(__always)
    static func length(leadingByte byte: UInt8) -> Int {
        byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
    }

    /// The scalar starting at `index` of valid UTF-8, and its length.
    @inline(__always)
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(utf8[index])
        switch length(leadingByte: utf8[index]) {
        case 1: return (lead, 1)
        case 2: return ((lead & 0x1F) << 6 | UInt32(utf8[index + 1] & 0x3F), 2)
        case 3: return ((lead & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6
                        | UInt32(utf8[index + 2] & 0x3F), 3)
        default: return ((lead & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12
                         | UInt32(utf8[index + 2] & 0x3F) << 6 | UInt32(utf8[index + 3] & 0x3F), 4)
        }
    }
}
