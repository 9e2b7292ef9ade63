/// Splits UTF-8 text into the pieces that byte-pair encoding works on, exactly as tiktoken's
/// regex split does with the Kimi pattern.
public struct PreTokenizer: Sendable {
    private let regex: PCRE2Regex

    /// The Kimi K2 pre-tokenizer (see ``KimiPattern``).
    public static func kimi() throws(PreTokenizerError) -> PreTokenizer {
        PreTokenizer(regex: try PCRE2Regex(KimiPattern.pcre2Source()))
    }

    private init(regex: PCRE2Regex) { self.regex = regex }

    /// Whether PCRE2 JIT-compiled the pattern.
    public var isJITCompiled: Bool { regex.isJIT }

    /// Calls `body` with the byte range of each piece of `utf8`, which must be valid UTF-8.
    public func forEachPiece(in utf8: UnsafeBufferPointer<UInt8>,
                             _ body: (Range<Int>) -> Void) throws(PreTokenizerError) {
        try regex.forEachMatch(in: utf8, body)
    }

    /// The pieces of `text`.
    public func pieces(of text: String) throws(PreTokenizerError) -> [String] {
        let bytes = Array(text.utf8)
        var result: [String] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(PreTokenizerError) in
            try forEachPiece(in: buffer) { range in
                result.append(String(decoding: buffer[range], as: UTF8.self))
            }
        }
        return result
    }
}
