import KimiTokenizer

/// Token IDs with what each one is: its bytes, whether it is special, where it starts in the
/// decoded text. IDs the vocabulary does not have are kept and marked, not rejected.
public struct TokenStream: Sendable {
    public let ids: [Int]
    /// Bytes of each token (empty for an ID outside the vocabulary).
    public let pieces: [[UInt8]]
    /// Whether each token is a special token.
    public let isSpecial: [Bool]
    /// Whether each ID is in the vocabulary.
    public let isKnown: [Bool]
    /// Character (Unicode scalar) offset of each token in the decoded text, plus the total.
    public let characterOffsets: [Int]

    public init(ids: [Int], tokenizer: KimiTokenizer) {
        self.ids = ids
        var pieces: [[UInt8]] = []
        var special: [Bool] = []
        var known: [Bool] = []
        var offsets: [Int] = [0]
        pieces.reserveCapacity(ids.count)
        for id in ids {
            let bytes = (try? tokenizer.tokenBytes(id)) ?? []
            pieces.append(bytes)
            special.append(tokenizer.isSpecial(id))
            known.append(id >= 0 && id < tokenizer.tokenCount)
            // Scalars begin at every byte that is not a UTF-8 continuation byte.
            var scalars = 0
            for byte in bytes where byte & 0xC0 != 0x80 { scalars += 1 }
            offsets.append(offsets[offsets.count - 1] + scalars)
        }
        self.pieces = pieces
        isSpecial = special
        isKnown = known
        characterOffsets = offsets
    }

    public var count: Int { ids.count }

    /// The text of tokens `range` (U+FFFD for cut characters).
    public func text(_ range: Range<Int>) -> String {
        var bytes: [UInt8] = []
        for piece in pieces[range] { bytes += piece }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The readable form of tokens `range`, special tokens by name.
    public func visible(_ range: Range<Int>) -> String {
        range.map {
            isSpecial[$0]
                ? String(decoding: pieces[$0], as: UTF8.self)
                : isKnown[$0] ? TokenDisplay.visible(pieces[$0]) : "<?\(ids[$0])?>"
        }.joined()
    }

    /// The token that holds byte `offset` of the concatenated bytes of tokens `range`.
    func token(atByte offset: Int, in range: Range<Int>) -> Int {
        var remaining = offset
        for index in range {
            if remaining < pieces[index].count { return index }
            remaining -= pieces[index].count
        }
        return max(range.lowerBound, range.upperBound - 1)
    }
}
