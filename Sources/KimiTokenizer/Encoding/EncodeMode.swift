/// How text becomes token IDs. Each mode is identical to the reference mode of the same name.
public enum EncodeMode: String, Sendable, CaseIterable {
    /// `TikTokenTokenizer.encode` of `tokenization_kimi.py`, what inference engines run:
    /// special-token strings become special tokens, and the text is first cut into
    /// 400,000-code-point chunks and runs of at most 25,000 whitespace or non-whitespace
    /// characters (Python's `str.isspace`).
    case hf
    /// tiktoken's `encode(text, allowed_special="all")`, without the Hugging Face chunking.
    case tiktoken
    /// tiktoken's `encode_ordinary`: special-token strings are ordinary text.
    case ordinary
}
