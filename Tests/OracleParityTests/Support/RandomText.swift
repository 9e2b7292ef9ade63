/// A seeded generator of adversarial text mixing scripts, whitespace, marks, emoji, digits,
/// contractions and special-token strings.
struct RandomText {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Code point ranges by kind; each atom of a string is a short run from one of them.
    static let ranges: [ClosedRange<UInt32>] = [
        0x20...0x7E, 0x20...0x7E, 0x61...0x7A, 0x41...0x5A, 0x30...0x39,  // ASCII
        0xA0...0xFF, 0x100...0x24F, 0x1C4...0x1CC,  // Latin-1, Latin Extended, title-case digraphs
        0x370...0x3FF, 0x400...0x4FF, 0x530...0x58F, 0x590...0x5FF, 0x600...0x6FF, 0x660...0x669,
        0x900...0x97F, 0xE00...0xE7F, 0x1100...0x11FF, 0x1E00...0x1EFF,
        0x300...0x36F, 0x1AB0...0x1AFF, 0x20D0...0x20FF,  // combining marks
        0x2000...0x206F, 0x2E80...0x2FDF, 0x3000...0x303F, 0x3040...0x30FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE00...0xFE0F, 0xFF00...0xFFEF,
        0x10000...0x1007F, 0x10400...0x1044F, 0x10D40...0x10D8F, 0x10940...0x1095F, 0x11380...0x113FF,
        0x16FE0...0x16FFF, 0x1D400...0x1D7FF, 0x1E6C0...0x1E6FF, 0x1F300...0x1F6FF, 0x1F900...0x1F9FF,
        0x1F1E6...0x1F1FF, 0x1F3FB...0x1F3FF, 0x20000...0x2A6DF, 0x2EBF0...0x2EE5D, 0x30000...0x3134A,
        0x323B0...0x3347F, 0xE0000...0xE007F, 0xE000...0xF8FF, 0x10FFF0...0x10FFFD,
    ]

    static let fragments: [String] = [
        " ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n", " \n", "\u{85}", "\u{A0}", "\u{1680}",
        "\u{180E}", "\u{200B}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}",
        "\u{0B}", "\u{0C}", "\u{1C}", "\u{1F}", "'s", "'S", "'t", "'re", "'RE", "'ve", "'m", "'ll", "'lL",
        "'LL", "'d", "'D", "'\u{17F}", "'", "don't", "I'M", "it's", "123", "4567", "00000000", "3.14",
        "\u{200D}", "\u{FE0F}", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "々々", "〇〇〇〇", "getUserName", "}\n///",
        "“Hello,” 世界世世世界世界——I'm ChatGPT…", "<|im_end|>", "<|im_user|>", "<|im_middle|>",
        "<|reserved_token_163700|>", "[EOS]", "[BOS]", "<|im_end|", "<|", "|>", "ǅ", "ǈ", "ᾈ",
    ]

    /// One random string of up to `maximumAtoms` atoms.
    mutating func string(maximumAtoms: Int = 24) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0...below(maximumAtoms) {
            if below(3) == 0 {
                scalars.append(contentsOf: pick(Self.fragments).unicodeScalars)
                continue
            }
            let range = pick(Self.ranges)
            for _ in 0...below(6) {
                let value = range.lowerBound + UInt32(below(Int(range.upperBound - range.lowerBound) + 1))
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
        }
        return String(scalars)
    }
}
