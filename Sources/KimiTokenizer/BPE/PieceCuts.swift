/// Where a piece can be cut without changing its byte-pair encoding: between two three-byte
/// characters (CJK, kana, Hangul) that no token of the vocabulary spans.
///
/// Every part of a byte-pair merge is a token, so no part ever spans a boundary that no token
/// spans; the merges on either side of it never meet, and the leftmost-lowest order on one side
/// is the same with or without the other side's pairs. The halves therefore encode alone to
/// the same IDs. A third to four fifths of the boundaries in Chinese, Japanese and Korean
/// runs are such boundaries, and cutting there turns runs of tens of characters into words of
/// one to four that are one token or recur.
///
/// The test is conservative: a boundary said to be uncut may be cuttable, never the reverse.
/// Tokens that span a boundary are recorded three ways, by what they hold of the characters
/// on either side of it (`c1` before it, `c2` after it):
/// - both whole: the pair `(c1, c2)` in a one-hash Bloom filter (a false positive only keeps a
///   run uncut); a token that ends one or two bytes into `c2` puts every `c2` with those bytes;
/// - starting one or two bytes before the end of `c1`, with `c2` whole: the pair of those
///   bytes and `c2` in the same filter under its own key, behind a flag on `c2`;
/// - ending on `c2`'s lead byte alone, or with neither character whole: a flag on `c1` for
///   `c2`'s lead byte (its low four bits, as every three-byte lead is `E0` to `EF`).
///
/// Each character is named by its 16 payload bits. The checks read two 256 KB tables that stay
/// in cache, not the rank table.
struct PieceCuts: @unchecked Sendable {
    /// The arrays, as built and as stored in a vocabulary image.
    struct Arrays {
        /// Per character: bits 0 to 15, the lead bytes (low four bits) of a next character that
        /// a token may reach only the lead of; bit 16, some token starts inside the character
        /// before this one and spans into this one.
        let characterFlags: [UInt32]
        /// One bit per hash of each spanned pair's key.
        let spannedPairs: [UInt64]
    }

    /// The number of bits in ``Arrays/spannedPairs``, as a power of two: 2 M bits (256 KB), a
    /// few false positives per hundred keys for a vocabulary of Kimi's size.
    static let filterBits = 21
    static let characterCount = 1 << 16
    private static let startsInsidePrevious: UInt32 = 1 << 16

    private let characterFlags: UnsafeBufferPointer<UInt32>
    private let spannedPairs: UnsafeBufferPointer<UInt64>

    /// The checks over arrays that ``build(table:)`` made, kept alive by their owner.
    init(characterFlags: UnsafeBufferPointer<UInt32>, spannedPairs: UnsafeBufferPointer<UInt64>) {
        self.characterFlags = characterFlags
        self.spannedPairs = spannedPairs
    }

    /// The filter key of two whole characters.
    @inline(__always)
    private static func pairKey(_ first: UInt32, _ second: UInt32) -> UInt64 {
        UInt64(first) << 16 | UInt64(second)
    }

    /// The filter key of a character's last `count` bytes (1 or 2, as their low 6 or 12 payload
    /// bits) and the whole character after them.
    @inline(__always)
    private static func fragmentKey(_ suffixCount: Int, _ suffixBits: UInt32, _ second: UInt32) -> UInt64 {
        UInt64(suffixCount) << 40 | UInt64(suffixBits) << 16 | UInt64(second)
    }

    @inline(__always)
    private static func filterBit(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - filterBits))
    }

    @inline(__always)
    private func mayBeSpanned(_ key: UInt64) -> Bool {
        let bit = Self.filterBit(key)
        return spannedPairs[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// Whether no token spans the boundary between the three-byte characters with payloads
    /// `first` and `second` (`secondLead` is the lead byte of `second`).
    @inline(__always)
    func canCut(between first: UInt32, and second: UInt32, secondLead: UInt8) -> Bool {
        if characterFlags[Int(first)] & (1 << UInt32(secondLead & 0x0F)) != 0 { return false }
        if mayBeSpanned(Self.pairKey(first, second)) { return false }
        if characterFlags[Int(second)] & Self.startsInsidePrevious != 0,
            mayBeSpanned(Self.fragmentKey(1, first & 0x3F, second)) || mayBeSpanned(Self.fragmentKey(2, first & 0xFFF, second))
        {
            return false
        }
        return true
    }

    /// The places to cut `piece`, left to right.
    @inline(__always)
    func positions(in piece: UnsafeBufferPointer<UInt8>) -> Positions {
        Positions(cuts: self, piece: piece)
    }

    /// The places to cut one piece, found by walking it once.
    struct Positions {
        fileprivate let cuts: PieceCuts
        fileprivate let piece: UnsafeBufferPointer<UInt8>
        /// Where the next step starts.
        private(set) var index = 0
        /// The payload of the three-byte character ending at `index`, `UInt32.max` if none does.
        private var previous = UInt32.max

        fileprivate init(cuts: PieceCuts, piece: UnsafeBufferPointer<UInt8>) {
            self.cuts = cuts
            self.piece = piece
        }

        /// What one step of the walk passed over.
        enum Step {
            /// The end of the piece.
            case end
            /// A byte that does not start a three-byte character.
            case byte
            /// A three-byte character (its payload), and whether the piece may be cut before it.
            case character(UInt32, cutBefore: Bool)
        }

        /// Passes over the next character or byte.
        @inline(__always)
        mutating func step() -> Step {
            guard index < piece.count else { return .end }
            guard let character = UTF8Scalars.threeByteSequence(piece, at: index) else {
                previous = .max
                index += 1
                return .byte
            }
            let position = index
            let before = previous
            previous = character
            index += 3
            return .character(
                character,
                cutBefore: before != .max
                    && cuts.canCut(between: before, and: character, secondLead: piece[position]))
        }

        /// The position of the next cut, or `nil` at the end of the piece.
        @inline(__always)
        mutating func next() -> Int? {
            while true {
                switch step() {
                case .end: return nil
                case .byte: continue
                case .character(_, cutBefore: true): return index - 3
                case .character: continue
                }
            }
        }
    }

    @inline(__always)
    private static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }

    @inline(__always)
    private static func isThreeByteLead(_ byte: UInt8) -> Bool {
        byte & 0xF0 == 0xE0
    }

    /// Records every boundary inside every token of `table` that can fall between two
    /// three-byte characters.
    ///
    /// A part is encoded as a piece of its own, whole-token lookup first, so cutting is exact
    /// only when every token is what its own bytes merge to: build only when every token longer
    /// than a byte has a split (``BacktrackingTables/Arrays/everyTokenIsAMerge``, true of every
    /// Kimi token).
    static func build(table: ByteStringTable) -> Arrays {
        var flags = [UInt32](repeating: 0, count: characterCount)
        var filter = [UInt64](repeating: 0, count: 1 << (filterBits - 6))
        func insert(_ key: UInt64) {
            let bit = filterBit(key)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        for rank in 0..<table.count {
            let token = Array(table.bytes(of: rank))
            // A boundary of the text before a three-byte character is a lead byte in the token.
            for split in token.indices.dropFirst() where isThreeByteLead(token[split]) {
                let after = token[split...]
                let secondWhole = after.count >= 3
                let second = secondWhole ? UTF8Scalars.threeBytePayload(after[split], after[split + 1], after[split + 2]) : 0
                // The last lead byte before the split, if any.
                var lastLead = split - 1
                while lastLead >= 0, isContinuation(token[lastLead]) { lastLead -= 1 }
                if lastLead >= 0 {
                    // Only a whole three-byte character can end where one starts in valid text.
                    guard split - lastLead == 3, isThreeByteLead(token[lastLead]) else { continue }
                    let first = UTF8Scalars.threeBytePayload(token[lastLead], token[lastLead + 1], token[lastLead + 2])
                    if secondWhole {
                        insert(pairKey(first, second))
                    } else if after.count == 2 {
                        for last in UInt8(0x80)...0xBF {
                            insert(pairKey(first, UTF8Scalars.threeBytePayload(after[split], after[split + 1], last)))
                        }
                    } else {
                        flags[Int(first)] |= 1 << UInt32(after[split] & 0x0F)
                    }
                    continue
                }
                // The token starts inside the character before the split: one or two of its bytes.
                guard split <= 2 else { continue }
                let suffixBits = token[..<split].reduce(UInt32(0)) { $0 << 6 | UInt32($1 & 0x3F) }
                if secondWhole {
                    flags[Int(second)] |= startsInsidePrevious
                    insert(fragmentKey(split, suffixBits, second))
                } else {
                    // Every character that ends with those bytes.
                    let suffixMask: UInt32 = split == 1 ? 0x3F : 0xFFF
                    for first in UInt32(0)..<UInt32(characterCount) where first & suffixMask == suffixBits {
                        flags[Int(first)] |= 1 << UInt32(after[split] & 0x0F)
                    }
                }
            }
        }
        return Arrays(characterFlags: flags, spannedPairs: filter)
    }
}
