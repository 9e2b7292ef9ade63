/// The answers of the backtracking merge's valid-pair test for one encode call.
///
/// The test undoes the merges of two tokens one by one, and each step waits on a load from
/// tables of megabytes. The same pairs come back from word to word (" при" then "вет", a stem
/// then an ending), so a test is often answered here. Direct-mapped (a new pair replaces the
/// one in its entry), used by a single call, so it needs no locking.
///
/// A view of entries its owner allocates, sizes with ``entryCount(textBytes:)`` and frees (see
/// ``PieceCache``): a struct with no reference, so passing it costs no reference counting on
/// the path of every merge.
struct ValidPairMemo {
    // One word per entry: the key (left rank << 21 | right rank) in the low 42 bits, the answer
    // in the top bit. All ones is empty: no rank is 2^21 - 1.
    private static let keyMask: UInt64 = 1 << 42 - 1
    private static let validBit: UInt64 = 1 << 63

    private let entries: UnsafeMutablePointer<UInt64>
    private let shift: UInt64

    /// The entries for a text of `textBytes` bytes: one per 32 bytes of text, from 256 to
    /// 16,384 (128 KB, reached at 512 KB of text).
    static func entryCount(textBytes: Int) -> Int {
        var count = 256
        while count < 16384, 32 * count < textBytes { count <<= 1 }
        return count
    }

    /// A memo over `entries` (a power of two of them), which it empties.
    init(entries: UnsafeMutableBufferPointer<UInt64>) {
        entries.initialize(repeating: ~0)
        self.entries = entries.baseAddress.unsafelyUnwrapped
        shift = UInt64(64 - entries.count.trailingZeroBitCount)
    }

    /// The answer for `left` then `right`, computed by `test` unless remembered.
    @inline(__always)
    func isValidPair(_ left: UInt32, _ right: UInt32, test: (UInt32, UInt32) -> Bool) -> Bool {
        let key = BacktrackingTables.pairKey(left, right)
        let entry = entries + Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        if entry.pointee & Self.keyMask == key { return entry.pointee & Self.validBit != 0 }
        let valid = test(left, right)
        entry.pointee = key | (valid ? Self.validBit : 0)
        return valid
    }
}
