import Foundation
import KimiTokenizer
import TestSupport
import Testing

/// kimi-tok's IDs against the reference oracle: the bar is 100% identical IDs in every mode.
enum EncodeParityTests {
    static let modes = EncodeMode.allCases

    static func corpusFiles() throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Reference.corpusDirectory.path)
            .filter { $0 != "SOURCES.md" }.sorted()
        #expect(names.count >= 12, "expected the shared corpus files, found \(names)")
        return try names.map { name in
            let data = try Data(contentsOf: Reference.corpusDirectory.appendingPathComponent(name))
            return (name, try UTF8Input.decode([UInt8](data)))
        }
    }

    static let edgeCases: [String] = [
        "", " ", "  ", "\n", "\r", "\r\n", "\n\r", "\r\r\n\n", " \r\n ", "a\rb\nc\r\nd", "\t\t", " \t\n",
        "\u{85}", "a\u{85}b", "\u{A0}", "a\u{A0}b", "\u{1680}", "x\u{1680} y", "\u{180E}", "a\u{180E} b",
        "\u{200B}", "a\u{200B}b", "\u{3000}", "中\u{3000}文", "\u{FEFF}", "\u{FEFF}hello", "\u{2028}\u{2029}",
        "'s", "'S", "'t", "'T", "'re", "'Re", "'rE", "'RE", "'ve", "'VE", "'m", "'M", "'ll", "'lL", "'Ll",
        "'LL", "'d", "'D", "don't", "DON'T", "we'LL", "it'\u{17F}", "x'\u{17F}", "''s", "'''", "a'b'c",
        "1", "12", "123", "1234", "12345678901234567890", "١٢٣٤٥", "１２３４", "3.14159", "½⅓¼", "Ⅻ",
        "中文English日本語カタカナ", "漢字かなカナ", "Kimi是月之暗面", "a中b", "中a", "ひらがな漢字",
        "e\u{301}", "a\u{300}\u{301}\u{302}", "\u{301}abc", "\u{301}", "Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A̴̵̜̰͔ͫ͗͢L̠ͨͧͩ͘G̴̻͈͍͔̹̑͗̎̅͛́Ǫ̵̹̻̝̳͂̌̌͘",
        "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽👍🏿", "🇯🇵🇨🇳", "❤️", "a👍b", "👩‍💻 coding",
        "ǅ", "ǅungla", "ᾈ", "Ǆ ǅ ǆ", "𝐀𝐁𝐂", "𝒜𝒷", "𐐀𐐨", "\u{10D50}\u{10D70}", "\u{1E6C0}\u{1E6C1}",
        "\u{2EBF0}\u{2EBF1}", "a\u{2EBF0}b", "\u{323B0}\u{323B1}x", "\u{30000}", "\u{16FF0}一",
        "“Hello,” 世界世世世界世界——I'm ChatGPT…", "getUserName", "}\n///", "々々", "〇〇〇〇", "々a",
        "<|im_end|>", "<|im_end|><|im_end|>", "a<|im_end|>b", "<|im_end|", "<|im_end|>>", "<<|im_end|>",
        "[BOS]", "[EOS]x", "[EOT][EOT]", "<|im_user|>user<|im_middle|>hi<|im_end|>",
        "\u{0}", "\u{1}\u{2}\u{1F}", "\u{7F}", "\u{E000}", "\u{10FFFD}", "\u{E0041}", "\u{FFFD}",
        // Three-byte pieces whose two pairs are the same pair: the left one merges first.
        "UUU", "aaa", "xxx", "QQQ", "---", "___", "~~~", "UUU UUU aaa", " 'sI'MUUU\u{3000}ggoxms", "VVVv", "qqq1",
    ]

    /// Whether `bytes` are two to four valid three-byte characters.
    static func isRunOfThreeByteCharacters(_ bytes: [UInt8]) -> Bool {
        guard (6...12).contains(bytes.count), bytes.count % 3 == 0 else { return false }
        let leads = stride(from: 0, to: bytes.count, by: 3).allSatisfy { bytes[$0] & 0xF0 == 0xE0 }
        return leads && String(validating: bytes, as: UTF8.self) != nil
    }

}

extension LiveTokenizerParity {
    @Test("every corpus file, whole", arguments: EncodeParityTests.modes)
    func corpusWhole(mode: EncodeMode) throws {
        let files = try EncodeParityTests.corpusFiles()
        try Parity.check(files.map(\.text), mode: mode, label: "corpus files whole (\(files.count))")
    }
    @Test("slices of every corpus file", arguments: EncodeParityTests.modes)
    func corpusSlices(mode: EncodeMode) throws {
        var random = RandomText(seed: 0x5EED_0001)
        var slices: [String] = []
        for file in try EncodeParityTests.corpusFiles() {
            let scalars = Array(file.text.unicodeScalars)
            for _ in 0..<300 {
                let start = random.below(scalars.count)
                let length = 1 + random.below(random.below(4) == 0 ? 4_000 : 200)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[start..<min(scalars.count, start + length)])
                slices.append(String(view))
            }
        }
        try Parity.check(slices, mode: mode, label: "corpus slices")
    }
    /// Text whose pieces seldom recur (base64, random identifiers), where the piece cache stands
    /// aside after a low hit rate, then natural text, where it is used again, in one call.
    @Test("pieces that seldom recur, then prose", arguments: EncodeParityTests.modes)
    func seldomRecurringPieces(mode: EncodeMode) throws {
        var random = RandomText(seed: 0xBA5E_0064)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let blob = String((0..<600_000).map { _ in alphabet[random.below(alphabet.count)] })
        let hexIDs = (0..<20_000).map { _ in String(random.below(1 << 62), radix: 16) }.joined(separator: " ")
        let prose = String(try EncodeParityTests.corpusFiles().map(\.text).joined(separator: "\n").prefix(1_000_000))
        try Parity.check(
            [blob + prose, hexIDs + "\n" + prose.prefix(200_000) + blob.prefix(300_000)], mode: mode,
            label: "seldom recurring pieces")
    }
    @Test("seeded random strings across scripts", arguments: EncodeParityTests.modes)
    func randomStrings(mode: EncodeMode) throws {
        var random = RandomText(seed: 0xC0FFEE)
        let texts = (0..<21_000).map { _ in random.string() }
        try Parity.check(texts, mode: mode, label: "random strings")
        // Joined a hundred at a time into long texts, which go through the per-call piece cache.
        let joined = stride(from: 0, to: texts.count, by: 100).map { texts[$0..<min($0 + 100, texts.count)].joined() }
        try Parity.check(joined, mode: mode, label: "random strings joined")
        // The same IDs from all cores at once, in order.
        let tokenizer = try Reference.tokenizer.get()
        let sequential = try texts.map { try tokenizer.encode($0, mode: mode) }
        #expect(try BatchEncoder.encode(texts, with: tokenizer, mode: mode, threads: 8) == sequential)
    }
    /// Runs of the three-byte characters that tokens join, and of characters from scripts with
    /// tokens that start or end inside a character: the pieces the encoder cuts before merging.
    @Test("runs of characters that tokens join", arguments: EncodeParityTests.modes)
    func runsOfJoinedCharacters(mode: EncodeMode) throws {
        var random = RandomText(seed: 0x5EED_0002)
        let pool = PieceCutTests.characterPool
        let separators = [" ", "，", "。", "\n", "a", "1", "、"]
        let texts = (0..<3_000).map { _ in
            (0...random.below(5)).map { _ in
                String(decoding: (0...random.below(30)).flatMap { _ in pool[random.below(pool.count)] }, as: UTF8.self)
            }.joined(separator: random.pick(separators))
        }
        try Parity.check(texts, mode: mode, label: "runs of characters that tokens join")
    }
    /// Tokens of two to four three-byte characters with a narrower character put between two of
    /// them. Kana and Hangul join Latin, Cyrillic and other letters in one piece, which is cut
    /// and walked down the token trie: the part holding the inserted letter must not be taken
    /// for the token the three-byte characters alone make.
    @Test("three-byte tokens with a narrower character inside", arguments: EncodeParityTests.modes)
    func threeByteTokensWithANarrowerCharacterInside(mode: EncodeMode) throws {
        var random = RandomText(seed: 0x5EED_0003)
        let vocabulary = try Reference.tokenizer.get().vocabulary
        let tokens = (0..<vocabulary.count).map { Array(vocabulary.bytes(ofRank: $0)) }.filter(EncodeParityTests.isRunOfThreeByteCharacters)
        #expect(tokens.count > 10_000, "tokens of three-byte characters: \(tokens.count)")
        let insides = ["a", "Z", "é", "ж", "ß", "ω", "1", "'", " "]
        let texts = (0..<3_000).map { _ in
            let token = tokens[random.below(tokens.count)]
            let cut = 3 * (1 + random.below(token.count / 3 - 1))
            let bytes: [UInt8] = token[..<cut] + Array(random.pick(insides).utf8) + token[cut...]
            return String(decoding: bytes, as: UTF8.self)
        }
        try Parity.check(texts, mode: mode, label: "three-byte tokens with a narrower character inside")
    }
    @Test("edge cases", arguments: EncodeParityTests.modes)
    func edgeCases(mode: EncodeMode) throws {
        try Parity.check(EncodeParityTests.edgeCases, mode: mode, label: "edge cases")
    }
    @Test("long runs", arguments: EncodeParityTests.modes)
    func longRuns(mode: EncodeMode) throws {
        let runs = [
            String(repeating: " ", count: 30_000), String(repeating: "a", count: 60_000),
            String(repeating: "中", count: 30_000), String(repeating: "\n", count: 30_000),
            String(repeating: "1", count: 30_000), String(repeating: "ab ", count: 20_000),
            String(repeating: "x", count: 25_000) + " " + String(repeating: "y", count: 25_001),
            String(repeating: " ", count: 25_001) + "z", String(repeating: "!", count: 30_000),
            String(repeating: "Ab", count: 30_000), String(repeating: "😀", count: 26_000),
            // Python's isspace and Unicode White_Space disagree on U+001C..U+001F; U+200B is neither.
            String(repeating: "\u{1C}", count: 25_001) + "a", String(repeating: "\u{85}", count: 25_003),
            String(repeating: "\u{3000}", count: 25_002) + "中", String(repeating: "\u{200B}", count: 25_004),
            "a" + String(repeating: "\u{A0}\u{1F}", count: 13_000) + "b",
        ]
        try Parity.check(runs, mode: mode, label: "long runs")
    }
    /// Runs of spaces and of other characters, one to four bytes wide, ending just below, at and
    /// just above 25,000 characters, after prefixes of every length modulo 8 (the `hf` chunker
    /// reads eight bytes at a time).
    @Test("runs around the 25,000 limit", arguments: EncodeParityTests.modes)
    func runsAroundTheLimit(mode: EncodeMode) throws {
        var texts: [String] = []
        for (offset, prefix) in ["", "a", " b", "cd ", "\tef ", "gh i ", "jk\u{1C}l ", "é mn o"].enumerated() {
            for (unit, other) in [
                (" ", "x"), ("q", " "), ("\u{1F}", "y"), ("中", " "), ("ж", "\u{3000}"), ("😀", "\t"),
                ("か、", "\u{A0}"), ("\u{3000}", "中"), ("\u{2003}", "é"), ("\u{A0}\u{85}", "z"),
            ] {
                for length in [24_992, 24_999, 25_000, 25_001, 25_007 + offset] {
                    texts.append(prefix + String(repeating: unit, count: length) + other + String(repeating: unit, count: 9))
                }
            }
        }
        try Parity.check(texts, mode: mode, label: "runs around the limit")
    }
    @Test("every special token name", arguments: EncodeParityTests.modes)
    func specialTokens(mode: EncodeMode) throws {
        let tokenizer = try Reference.tokenizer.get()
        let names = tokenizer.specialTokens.names
        #expect(names.count == 258)
        try Parity.check(names, mode: mode, label: "special token names")
        try Parity.check(names.map { "x \($0)y" }, mode: mode, label: "special token names in text")
        if mode != .ordinary {
            for (offset, name) in names.enumerated() {
                #expect(try tokenizer.encode(name, mode: mode) == [tokenizer.specialTokens.firstID + offset])
            }
        }
    }
}
