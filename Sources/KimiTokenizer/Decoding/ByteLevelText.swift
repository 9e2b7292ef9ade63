/// GPT-2's byte-level alphabet: every byte as one printable character (printable Latin-1 bytes
/// as themselves, the other 68 as U+0100 and up, in byte order). Kimi's Hugging Face tokenizer
/// class names its tokens this way, so it is what `convert_ids_to_tokens` returns, and what
/// vLLM's `/tokenize` gives as `token_strs`.
public enum ByteLevelText {
    /// The character of each byte.
    public static let alphabet: [Character] = {
        let kept = Set<UInt8>(Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF))
        var next: UInt32 = 0x100
        return (0...255).map { (byte: Int) -> Character in
            if kept.contains(UInt8(byte)) { return Character(Unicode.Scalar(UInt8(byte))) }
            defer { next += 1 }
            return Character(Unicode.Scalar(next) ?? "\u{FFFD}")
        }
    }()

    /// `bytes` spelled in the byte-level alphabet.
    public static func string(_ bytes: [UInt8]) -> String {
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        for byte in bytes { text.append(alphabet[Int(byte)]) }
        return text
    }
}
