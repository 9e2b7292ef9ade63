import KimiUnicode

/// The Kimi K2 pre-tokenizer pattern, translated from tiktoken's Rust regex syntax to PCRE2.
///
/// The reference (`tokenization_kimi.py`) is:
///
///     [\p{Han}]+
///     |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     |\p{N}{1,3}
///     | ?[^\s\p{L}\p{N}]+[\r\n]*
///     |\s*[\r\n]+
///     |\s+(?!\S)
///     |\s+
///
/// PCRE2 10.42 has no `&&` class intersection, its Unicode tables are older than the Rust
/// regex crate's, and its `\s` differs (it includes U+180E). So every class here is spelled out
/// as explicit code point ranges from ``UnicodeClassTable``, and the case-insensitive
/// contractions are spelled out with the case variants that Rust's simple case folding gives
/// (`s` also matches U+017F LATIN SMALL LETTER LONG S). Both engines are leftmost-first
/// backtracking-equivalent, so the same classes give the same pieces.
enum KimiPattern {
    /// The PCRE2 source of the pattern, for use with `PCRE2_UTF` and no `PCRE2_UCP`.
    static func pcre2Source(table: UnicodeClassTable = .kimi) -> String {
        func set(_ predicate: (UnicodeClass) -> Bool) -> String {
            table.ranges(where: predicate).map { range in
                range.lowerBound == range.upperBound
                    ? escape(range.lowerBound)
                    : "\(escape(range.lowerBound))-\(escape(range.upperBound))"
            }.joined()
        }
        let han = "[\(set { $0.contains(.han) })]"
        let upper = "[\(set { $0.contains(.upperOrModifier) })]"
        let lower = "[\(set { $0.contains(.lowerOrModifier) })]"
        let letterOrNumber = set { !$0.isDisjoint(with: [.letter, .number]) }
        let notCRLFLetterNumber = "[^\\r\\n\(letterOrNumber)]"
        let number = "[\(set { $0.contains(.number) })]"
        let space = "[\(set { $0.contains(.whiteSpace) })]"
        let notSpace = "[^\(set { $0.contains(.whiteSpace) })]"
        let notSpaceLetterNumber = "[^\(set { !$0.isDisjoint(with: [.whiteSpace, .letter, .number]) })]"
        let contraction = "(?:'[sS\\x{17F}]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
        return [
            "\(han)+",
            "\(notCRLFLetterNumber)?\(upper)*\(lower)+\(contraction)?",
            "\(notCRLFLetterNumber)?\(upper)+\(lower)*\(contraction)?",
            "\(number){1,3}",
            " ?\(notSpaceLetterNumber)+[\\r\\n]*",
            "\(space)*[\\r\\n]+",
            "\(space)+(?!\(notSpace))",
            "\(space)+",
        ].joined(separator: "|")
    }

    private static func escape(_ scalar: UInt32) -> String {
        "\\x{\(String(scalar, radix: 16, uppercase: true))}"
    }
}
