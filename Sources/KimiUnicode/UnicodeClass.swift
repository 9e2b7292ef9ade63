/// The character classes that the Kimi pre-tokenizer pattern is built from.
///
/// Membership is fixed by ``UnicodeClassTable`` (Unicode 16.0, the tables of the Rust
/// regex crate inside tiktoken 0.14), never by the regex engine's own Unicode tables.
package struct UnicodeClass: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `\p{Han}`: the Han script.
    package static let han = UnicodeClass(rawValue: 1)
    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]`: the leading class of a word.
    package static let upperOrModifier = UnicodeClass(rawValue: 2)
    /// `[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]`: the trailing class of a word.
    package static let lowerOrModifier = UnicodeClass(rawValue: 4)
    /// `\p{L}`: any letter.
    package static let letter = UnicodeClass(rawValue: 8)
    /// `\p{N}`: any number.
    package static let number = UnicodeClass(rawValue: 16)
    /// `\s` of the Rust regex crate: the Unicode `White_Space` property.
    package static let whiteSpace = UnicodeClass(rawValue: 32)
    /// Python's `str.isspace()`, which the Hugging Face tokenizer uses to split long runs.
    package static let pythonSpace = UnicodeClass(rawValue: 64)
    /// Python 3.11's `str.isprintable()` (Unicode 14.0), which decides what `repr()` escapes.
    package static let pythonPrintable = UnicodeClass(rawValue: 128)
}
