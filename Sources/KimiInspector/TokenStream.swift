import KimiTokenizer

/// Token IDs with what each one is: its bytes, whether it is special, where it starts in the
/// decoded text. IDs the vocabulary does not have are kept and marked, not rejected.
public struct TokenStream: Sendable {
    public let ids: [Int]
    /// The bytes of every token, one after another (none for an ID outside the vocabulary).
    public let bytes: [UInt8]
    /// Where each token's bytes start in ``bytes``, plus the end.
    public let byteOffsets: [Int]
    /// Whether each token is a special token.
    public let isSpecial: [Bool]
    /// Whether each ID is in the vocabulary.
    public let isKnown: [Bool]
    /// Character (Unicode scalar) offset of each token in the decoded text, plus the total.
    public let characterOffsets: [Int]

    public init(ids: [Int], tokenizer: KimiTokenizer) {
        self.ids = ids
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        var byteOffsets = [0]
        var offsets = [0]
        byteOffsets.reserveCapacity(ids.count + 1)
        offsets.reserveCapacity(ids.count + 1)
        var scalars = 0
        for id in ids {
            let start = bytes.count
            tokenizer.appendTokenBytes(id, to: &bytes)
            // Scalars begin at every byte that is not a UTF-8 continuation byte.
            for index in start..<bytes.count where bytes[index] & 0xC0 != 0x80 { scalars += 1 }
            byteOffsets.append(bytes.count)
            offsets.append(scalars)
        }
        self.bytes = bytes
        self.byteOffsets = byteOffsets
        isSpecial = ids.map(tokenizer.isSpecial)
        isKnown = ids.map { $0 >= 0 && $0 < tokenizer.tokenCount }
        characterOffsets = offsets
    }

    public var count: Int { ids.count }

    /// The bytes of token `index`.
    public func piece(_ index: Int) -> ArraySlice<UInt8> {
        bytes[byteOffsets[index]..<byteOffsets[index + 1]]
    }

    /// The bytes of tokens `range`, one after another.
    public func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        bytes[byteOffsets[range.lowerBound]..<byteOffsets[range.upperBound]]
    }

    /// The text of tokens `range` (U+FFFD for cut characters).
    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes(range), as: UTF8.self)
    }

    /// The readable form of tokens `range`, special tokens by name.
    public func visible(_ range: Range<Int>) -> String {
        range.map {
            isSpecial[$0]
                ? String(decoding: piece($0), as: UTF8.self)
                : isKnown[$0] ? TokenDisplay.visible(piece($0)) : "<?\(ids[$0])?>"
        }.joined()
    }

    /// The token that holds byte `offset` of the concatenated bytes of tokens `range`.
    func token(atByte offset: Int, in range: Range<Int>) -> Int {
        guard !range.isEmpty else { return range.lowerBound }
        let target = byteOffsets[range.lowerBound] + offset
        // The last token of `range` that starts at or before the byte (tokens without bytes
        // start where the next one does, so it is never one of those but at the end).
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if byteOffsets[middle] <= target { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
