/// Every token of a stream with its index, ID, bytes and text: what `tokens --json` prints and
/// `POST /v1/kimi/tokens` answers.
public struct TokenListing: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public let index: Int
        public let id: Int
        public let special: Bool
        /// The token's bytes as UTF-8 (a cut character becomes U+FFFD).
        public let text: String
        public let bytes_hex: String
        /// For a prompt built as segments: the segment the token belongs to.
        public let segment: Int?
    }

    public let tokens: [Entry]

    /// The listing of `ids`; `segments` (each segment's token count, in order) numbers the
    /// segment of every token.
    public init(_ ids: [Int], tokenizer: KimiTokenizer, segmentLengths: [Int]? = nil) throws(TokenIDError) {
        let pieces = try tokenizer.tokenBytes(ids)
        var segmentOfToken: [Int]?
        if let segmentLengths {
            segmentOfToken = segmentLengths.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        }
        tokens = ids.indices.map { index in
            Entry(
                index: index, id: ids[index], special: tokenizer.isSpecial(ids[index]),
                text: String(decoding: pieces[index], as: UTF8.self),
                bytes_hex: Self.hex(pieces[index]),
                segment: segmentOfToken.flatMap { index < $0.count ? $0[index] : nil })
        }
    }

    /// `bytes` as lowercase hex, two digits a byte: how token bytes are written in JSON.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The listing of a prompt built as segments, each encoded on its own.
    public init(segments: [PromptSegment], tokenizer: KimiTokenizer) throws {
        var ids: [Int] = []
        var lengths: [Int] = []
        for segment in segments {
            let segmentIDs = try tokenizer.encode(segments: [segment])
            ids += segmentIDs
            lengths.append(segmentIDs.count)
        }
        try self.init(ids, tokenizer: tokenizer, segmentLengths: lengths)
    }
}
