import KimiIO

/// A failure of the regex engine behind the pre-tokenizer.
public enum PreTokenizerError: ClassifiedError, Equatable {
    /// The translated pattern was rejected by PCRE2 (a bug in kimi-tok, reported, not hidden).
    case patternDoesNotCompile(message: String, offset: Int)
    /// PCRE2 failed while matching, e.g. a resource limit.
    case matchFailed(message: String)
    /// PCRE2 could not allocate match data.
    case outOfMemory

    public var description: String {
        switch self {
        case let .patternDoesNotCompile(message, offset):
            "the pre-tokenizer pattern does not compile in PCRE2 at offset \(offset): \(message)"
        case let .matchFailed(message):
            "the pre-tokenizer failed while matching: \(message)"
        case .outOfMemory:
            "the pre-tokenizer could not allocate PCRE2 match data"
        }
    }
}

extension PreTokenizerError {
    /// Input the tokenizer cannot use.
    public var errorKind: KimiError.Kind { .badInput }
}
