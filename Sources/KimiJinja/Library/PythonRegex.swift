import Foundation

/// Python `re` patterns that jinja2's filters and `textwrap` use, written for ICU (Foundation's
/// `NSRegularExpression`) with Python's character classes spelled out: `\w` is a letter, a
/// number or `_` (Python's `str.isalnum()` plus `_`), `\d` a decimal digit, whitespace Python's.
struct PythonRegex: @unchecked Sendable {
    static let word = #"\p{L}\p{N}_"#
    static let whitespace = #"\t\n\x{0B}\f\r\x{1C}-\x{1F} \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"#

    private let expression: NSRegularExpression?

    /// `pattern` with `{w}` for Python's `\w` class body and `{s}` for its whitespace class body.
    init(_ pattern: String, caseInsensitive: Bool = false) {
        let spelled = pattern.replacingOccurrences(of: "{w}", with: Self.word).replacingOccurrences(of: "{s}", with: Self.whitespace)
        // The patterns are constants of this file's callers; a typo is a programming error
        // that the golden tests catch on the first render that uses the filter.
        expression = try? NSRegularExpression(pattern: spelled, options: caseInsensitive ? [.caseInsensitive] : [])
    }

    /// The ranges of every match in `text`.
    func matches(in text: String) -> [Range<String.Index>] {
        (expression?.matches(in: text, range: NSRange(text.startIndex..., in: text)) ?? []).compactMap { Range($0.range, in: text) }
    }

    /// The match that starts where `text` starts, if any.
    func matchesPrefix(of text: String) -> Range<String.Index>? {
        expression?.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)).flatMap { Range($0.range, in: text) }
    }

    /// `re.split` with the whole pattern captured: the text between matches and the matches,
    /// empty pieces dropped.
    func splitKeepingSeparators(_ text: String) -> [String] {
        var pieces: [String] = []
        var start = text.startIndex
        for match in matches(in: text) {
            if start < match.lowerBound { pieces.append(String(text[start..<match.lowerBound])) }
            if !match.isEmpty { pieces.append(String(text[match])) }
            start = match.upperBound
        }
        if start < text.endIndex { pieces.append(String(text[start...])) }
        return pieces
    }
}
