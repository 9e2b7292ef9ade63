/// Splits UTF-8 text into the pieces that byte-pair encoding works on, exactly as tiktoken's
/// regex split does with the Kimi pattern.
public struct PreTokenizer: Sendable {
    /// How the pattern is run. Both give identical pieces; the tests hold them to it.
    public enum Engine: String, Sendable, CaseIterable {
        /// The hand-written matcher (``KimiScanner``): the default, several times faster.
        case scanner
        /// PCRE2 with JIT on the translated pattern (``KimiPattern``): the reference path.
        case pcre2
    }

    private enum Implementation: Sendable {
        case scanner(KimiScanner)
        case pcre2(PCRE2Regex)
        case llamaCpp(LlamaCppKimiSplitter)
    }

    private let implementation: Implementation

    /// The Kimi K2 pre-tokenizer.
    public static func kimi(engine: Engine = .scanner) throws(PreTokenizerError) -> PreTokenizer {
        switch engine {
        case .scanner: PreTokenizer(implementation: .scanner(KimiScanner()))
        case .pcre2: PreTokenizer(implementation: .pcre2(try PCRE2Regex(KimiPattern.pcre2Source())))
        }
    }

    /// llama.cpp's pre-tokenizer for Kimi K2 (``LlamaCppKimiSplitter``), which cuts some text
    /// where the Kimi pattern does not.
    public static func llamaCppKimiK2() -> PreTokenizer { PreTokenizer(implementation: .llamaCpp(LlamaCppKimiSplitter())) }

    private init(implementation: Implementation) { self.implementation = implementation }

    /// The engine in use (llama.cpp's own splitter counts as the scanner: it is hand-written).
    public var engine: Engine {
        if case .pcre2 = implementation { return .pcre2 }
        return .scanner
    }

    /// Whether PCRE2 JIT-compiled the pattern (always false for the scanner).
    public var isJITCompiled: Bool {
        if case let .pcre2(regex) = implementation { return regex.isJIT }
        return false
    }

    /// The hand-written matcher of the Kimi pattern, when this pre-tokenizer is it (not PCRE2,
    /// not llama.cpp's splitter): for loops that step from piece to piece themselves.
    var kimiScanner: KimiScanner? {
        if case let .scanner(scanner) = implementation { return scanner }
        return nil
    }

    /// Calls `body` with the byte range of each piece of `utf8`, which must be valid UTF-8.
    @inline(__always)
    public func forEachPiece(
        in utf8: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>) -> Void
    ) throws(PreTokenizerError) {
        switch implementation {
        case let .scanner(scanner): scanner.forEachPiece(in: utf8, body)
        case let .pcre2(regex): try regex.forEachMatch(in: utf8, body)
        case let .llamaCpp(splitter): splitter.forEachPiece(in: utf8, body)
        }
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
