/// Tests on the eight byte lanes of a little-endian word at once (SWAR), for scanning text a
/// word at a time. Lane `i` is byte `i` of the text the word was loaded from.
enum ByteLanes {
    /// 0x01 in every lane.
    static let low: UInt64 = 0x0101_0101_0101_0101
    /// 0x80 in every lane: the high bit of each byte.
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// A word whose lowest set bit is the high bit of the first zero lane of `word`, or 0 when
    /// no lane is zero. Lanes above the first zero lane may be marked wrongly (a borrow runs
    /// into them), so only the lowest mark and "none" are exact.
    @inline(__always)
    static func zeroLanes(_ word: UInt64) -> UInt64 {
        (word &- low) & ~word & high
    }

    /// The high bit of each lane of `word` (all lanes below 0x80) that lies in `range`, which
    /// must be within 0...0x7F. Lane `b >= lower` is the high bit of `(b | 0x80) - lower`, lane
    /// `b <= upper` that of `(0x80 + upper) - b`; neither borrows across lanes.
    @inline(__always)
    static func lanes(of word: UInt64, in range: ClosedRange<UInt64>) -> UInt64 {
        ((word | high) &- low &* range.lowerBound) & (low &* (0x80 + range.upperBound) &- word) & high
    }

    /// The high bit of each lane of `word` (any bytes) that lies in `range`, which must be
    /// within 0...0x7F: ``lanes(of:in:)`` of its low seven bits, less the lanes from 0x80.
    @inline(__always)
    static func asciiLanes(of word: UInt64, in range: ClosedRange<UInt64>) -> UInt64 {
        lanes(of: word & ~high, in: range) & ~word
    }

    /// How many lanes from the first are marked in `lanes` (a word with nothing but high bits
    /// set) before the first unmarked one: 8 when all are.
    @inline(__always)
    static func leadingCount(_ lanes: UInt64) -> Int {
        (~lanes & high).trailingZeroBitCount >> 3
    }

    /// The number of lanes marked in `lanes`, a word with nothing but high bits set. Unlike
    /// `nonzeroBitCount` this needs no POPCNT instruction, which the baseline x86-64 target lacks.
    @inline(__always)
    static func count(_ lanes: UInt64) -> Int {
        Int(truncatingIfNeeded: ((lanes >> 7) &* low) >> 56)
    }

    /// The first eight bytes at `base` (all `count` of them, zero-padded, when `count` is
    /// smaller) as a little-endian word, reading no byte at or past `base + count`.
    @inline(__always)
    static func load(_ base: UnsafeRawPointer, count: Int) -> UInt64 {
        if count >= 8 { return UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)) }
        // Two loads that overlap in the middle: the bytes they share are the same.
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (count - 4))
        }
        if count >= 2 {
            let low = UInt64(UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let high = UInt64(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)))
            return low | high << UInt64(8 * (count - 2))
        }
        return count == 1 ? UInt64(base.load(as: UInt8.self)) : 0
    }
}
