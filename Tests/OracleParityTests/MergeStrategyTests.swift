@_spi(Testing) import KimiTokenizer
import Testing

/// The three merge strategies give the same IDs on any bytes: tiktoken's scan, the heap merge
/// and the backtracking merge. The oracle suites check the encoder as a whole; this checks the
/// backtracking tables themselves, on inputs the pre-tokenizer would never produce.
@Suite("Merge strategies agree")
struct MergeStrategyTests {
    let tokenizer: KimiTokenizer
    var vocabulary: Vocabulary { tokenizer.vocabulary }

    init() throws {
        tokenizer = try Reference.tokenizer.get()
    }

    /// The backtracking and heap IDs of `bytes`, and the scan's when it is short enough to be cheap.
    func merges(_ bytes: [UInt8]) -> (backtracking: [Int]?, heap: [Int]?, scan: [Int]?) {
        (tokenizer.merge(bytes, by: .backtracking), tokenizer.merge(bytes, by: .heap),
         bytes.count <= 256 ? tokenizer.merge(bytes, by: .scan) : nil)
    }

    func expectAgreement(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> Bool {
        let result = merges(bytes)
        let agree = result.backtracking == result.heap && (result.scan == nil || result.scan == result.heap)
        #expect(agree && result.heap != nil,
                "\(label()): backtracking \(result.backtracking?.prefix(12) ?? []), heap \(result.heap?.prefix(12) ?? [])")
        return agree
    }

    @Test func everyTokenMergesToItself() {
        var failures = 0
        for rank in 0..<vocabulary.count where failures < 5 {
            let bytes = Array(vocabulary.bytes(ofRank: rank))
            if bytes.count < 2 { continue }
            let result = merges(bytes)
            if result.backtracking != [rank] || result.heap != [rank] {
                failures += 1
                Issue.record("rank \(rank): backtracking \(result.backtracking ?? []), heap \(result.heap ?? [])")
            }
        }
    }

    @Test func randomTextAgrees() {
        var random = RandomText(seed: 0x4B49_4D49)
        var failures = 0
        for index in 0..<20_000 where failures < 5 {
            let bytes = Array(random.string(maximumAtoms: 40).utf8)
            if !expectAgreement(bytes, "random text \(index)") { failures += 1 }
        }
    }

    /// Concatenated tokens: every boundary is a place a merge across tokens may or may not happen.
    @Test func concatenatedTokensAgree() {
        var random = RandomText(seed: 0x4B49_4D4A)
        var failures = 0
        for index in 0..<20_000 where failures < 5 {
            var bytes: [UInt8] = []
            for _ in 0...random.below(30) { bytes += vocabulary.bytes(ofRank: random.below(vocabulary.count)) }
            if !expectAgreement(bytes, "token concatenation \(index)") { failures += 1 }
        }
    }

    /// Tokens that end inside a character (one or two bytes into a three-byte one, one byte into
    /// a two-byte one), completed to a whole character in every way and followed by more: the
    /// backtracking walk steps such characters byte by byte, and a whole character per lookup
    /// everywhere else.
    @Test func tokensEndingInsideACharacterAgree() {
        var random = RandomText(seed: 0x4B49_4D4D)
        var failures = 0
        // Tokens ending one or two bytes into a three-byte character, or one byte into a two-byte one.
        let partial: [[UInt8]] = (0..<vocabulary.count).map { Array(vocabulary.bytes(ofRank: $0)) }.filter { bytes in
            (bytes.count >= 1 && bytes[bytes.count - 1] & 0xF0 == 0xE0)
                || (bytes.count >= 2 && bytes[bytes.count - 2] & 0xF0 == 0xE0 && bytes[bytes.count - 1] & 0xC0 == 0x80)
                || (bytes.count >= 1 && bytes[bytes.count - 1] & 0xE0 == 0xC0)
        }
        #expect(partial.count > 100, "tokens ending inside a character: \(partial.count)")
        func character(wide: Bool) -> [UInt8] {
            let scalar: Unicode.Scalar = wide ? Unicode.Scalar(UInt32(0x3040 + random.below(0x6A00))) ?? "中"
                : Unicode.Scalar(UInt32(0x0400 + random.below(0x0300))) ?? "ж"
            return Array(String(Character(scalar)).utf8)
        }
        // Every completion of the character, alone, followed by another character (of each
        // width), and after a random token.
        for (index, token) in partial.enumerated() where failures < 5 {
            let missing = token[token.count - 1] & 0xF0 == 0xE0 ? 2 : 1
            for completion in 0..<(missing == 2 ? 4096 : 64) {
                let rest = missing == 2 ? [UInt8(0x80 + completion / 64), UInt8(0x80 + completion % 64)] : [UInt8(0x80 + completion)]
                let before = Array(vocabulary.bytes(ofRank: random.below(vocabulary.count)))
                let wide = completion % 2 == 0
                for bytes in [token + rest, token + rest + character(wide: wide), before + token + rest + character(wide: !wide)]
                where !expectAgreement(bytes, "partial-character token \(index), completion \(completion)") {
                    failures += 1
                }
            }
        }
    }

    @Test func randomBytesAgree() {
        var random = RandomText(seed: 0x4B49_4D4B)
        var failures = 0
        for index in 0..<5_000 where failures < 5 {
            let bytes = (0...random.below(120)).map { _ in UInt8(random.below(256)) }
            if !expectAgreement(bytes, "random bytes \(index)") { failures += 1 }
        }
    }

    /// Runs of one unit, the inputs where the heap merge was slowest, up to the 25,000-character
    /// chunks of `hf` mode.
    @Test func longRunsAgree() {
        var random = RandomText(seed: 0x4B49_4D4C)
        let randomHan = String((0..<2000).compactMap { _ in Unicode.Scalar(0x4E00 + UInt32(random.below(0x5200))) }.map(Character.init))
        let units = ["a", " ", "\n", "0", "中", "😀", "ab", "é", "ـ", "👍🏽", "\t ", "=", "-"]
        for unit in units {
            for count in [1, 2, 3, 5, 8, 13, 17, 31, 64, 100, 257, 1000, 4099, 25_000] {
                _ = expectAgreement(Array(String(repeating: unit, count: count).utf8), "\(count) x \(unit.debugDescription)")
            }
        }
        _ = expectAgreement(Array(randomHan.utf8), "2000 random Han characters")
    }
}
