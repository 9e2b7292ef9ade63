import Foundation
@_spi(Testing) import KimiTokenizer
import TestSupport
import Testing

/// The encoder cuts pieces of three-byte characters where no token spans the boundary and
/// merges the parts alone. These tests check the cut tables against the vocabulary by brute
/// force, independently of the tables: every cut must be spanned by no token, and the parts of
/// a cut piece must merge to the IDs of the whole. The oracle suites check the encoder as a whole.
@Suite("Piece cuts", .needsVocabulary)
struct PieceCutTests {
    let tokenizer: KimiTokenizer
    var vocabulary: Vocabulary { tokenizer.vocabulary }

    init() throws {
        tokenizer = try Reference.tokenizer.get()
    }

    /// Every token, and every prefix of one, for the brute-force check.
    static let tokenSets: (tokens: Set<[UInt8]>, prefixes: Set<[UInt8]>) = {
        let vocabulary = (try? Reference.tokenizer.get())?.vocabulary
        var tokens = Set<[UInt8]>(), prefixes = Set<[UInt8]>()
        for rank in 0..<(vocabulary?.count ?? 0) {
            let bytes = Array(vocabulary?.bytes(ofRank: rank) ?? [])
            tokens.insert(bytes)
            for end in 1...bytes.count { prefixes.insert(Array(bytes[..<end])) }
        }
        return (tokens, prefixes)
    }()

    /// The token spanning position `cut` of `bytes` (starting before it and ending after it),
    /// if there is one: every start before the cut, extended while it is a token's prefix.
    func spanningToken(in bytes: [UInt8], at cut: Int) -> [UInt8]? {
        let (tokens, prefixes) = Self.tokenSets
        for start in max(0, cut - vocabulary.longestToken)..<cut where prefixes.contains(Array(bytes[start..<cut])) {
            var end = cut + 1
            while end <= bytes.count, prefixes.contains(Array(bytes[start..<end])) {
                if tokens.contains(Array(bytes[start..<end])) { return Array(bytes[start..<end]) }
                end += 1
            }
        }
        return nil
    }

    /// Checks every cut of `bytes` by brute force and, for valid UTF-8, that the heap merges of
    /// the parts make the heap merge of the whole. Returns the number of cuts.
    @discardableResult
    func expectExactCuts(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> Int {
        guard let cuts = tokenizer.cutPositions(in: bytes) else {
            Issue.record("the Kimi vocabulary allows no cuts")
            return 0
        }
        for cut in cuts {
            if let token = spanningToken(in: bytes, at: cut) {
                Issue.record("\(label()): cut at \(cut) is spanned by token \(token.map { String(format: "%02X", $0) }.joined())")
                return cuts.count
            }
        }
        let bounds = [0] + cuts + [bytes.count]
        let parts = zip(bounds, bounds.dropFirst()).flatMap { tokenizer.merge(Array(bytes[$0..<$1]), by: .heap) ?? [] }
        #expect(parts == tokenizer.merge(bytes, by: .heap), "\(label()): parts merge differently from the whole")
        return cuts.count
    }

    /// Three-byte characters the vocabulary's tokens hold next to others (so most boundaries
    /// between them are spanned), and characters of the scripts with tokens that start or end
    /// inside a character (Myanmar, Malayalam, Bengali, Tamil, Hangul, kana, CJK).
    static let characterPool: [[UInt8]] = {
        let vocabulary = (try? Reference.tokenizer.get())?.vocabulary
        var pool = Set<[UInt8]>()
        for rank in 0..<(vocabulary?.count ?? 0) {
            let bytes = Array(vocabulary?.bytes(ofRank: rank) ?? [])
            guard bytes.count >= 6 else { continue }
            for index in 0..<(bytes.count - 2)
            where bytes[index] & 0xF0 == 0xE0
                && bytes[index + 1] & 0xC0 == 0x80 && bytes[index + 2] & 0xC0 == 0x80
            {
                pool.insert(Array(bytes[index..<index + 3]))
            }
        }
        let scripts: [ClosedRange<UInt32>] = [
            0x1000...0x109F, 0x0D00...0x0D7F, 0x0980...0x09FF, 0x0B80...0x0BFF,
            0xAC00...0xD7A3, 0x3040...0x30FF, 0x4E00...0x9FFF, 0x3000...0x303F, 0xFF00...0xFFEF,
        ]
        for range in scripts {
            for value in range where value % 7 == 0 {
                if let scalar = Unicode.Scalar(value) { pool.insert(Array(String(Character(scalar)).utf8)) }
            }
        }
        return pool.sorted { $0.lexicographicallyPrecedes($1) }
    }()

    @Test func randomRunsOfThreeByteCharactersAreCutExactly() {
        var random = RandomText(seed: 0x4355_5431)
        let pool = Self.characterPool
        #expect(pool.count > 5_000, "character pool: \(pool.count)")
        var cuts = 0
        for index in 0..<3_000 {
            let bytes = (0...random.below(24)).flatMap { _ in pool[random.below(pool.count)] }
            cuts += expectExactCuts(bytes, "random run \(index)")
        }
        #expect(cuts > 10_000, "cuts made: \(cuts)")
    }

    /// Concatenated tokens that hold three-byte characters or parts of them: the boundaries
    /// where tokens begin or end inside a character, in any bytes (not only valid UTF-8).
    @Test func concatenatedTokensAreCutExactly() {
        var random = RandomText(seed: 0x4355_5432)
        let withThreeByteParts = (0..<vocabulary.count).map { Array(vocabulary.bytes(ofRank: $0)) }.filter { bytes in
            bytes.contains { $0 & 0xF0 == 0xE0 } || (bytes.first.map { $0 & 0xC0 == 0x80 } ?? false)
        }
        var cuts = 0
        for index in 0..<3_000 {
            let bytes = (0...random.below(12)).flatMap { _ in random.pick(withThreeByteParts) }
            cuts += expectExactCuts(bytes, "token concatenation \(index)")
        }
        #expect(cuts > 3_000, "cuts made: \(cuts)")
    }

    /// Tokens that start one or two bytes inside a character or end inside one, placed so that
    /// the character is completed by the text around them: the boundaries the filter records by
    /// fragments and the flags record by lead byte.
    @Test func tokensStartingOrEndingInsideACharacterAreCutExactly() {
        var random = RandomText(seed: 0x4355_5433)
        let pool = Self.characterPool
        func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        func continuation() -> UInt8 { UInt8(0x80 + random.below(64)) }
        var tested = 0, cuts = 0
        for rank in 0..<vocabulary.count {
            let token = Array(vocabulary.bytes(ofRank: rank))
            guard token.count >= 2, token.contains(where: { $0 & 0xF0 == 0xE0 }) else { continue }
            let leading = token.prefix { isContinuation($0) }.count
            // How many bytes of its last three-byte character the token lacks.
            let lastLead = token.lastIndex { !isContinuation($0) } ?? 0
            let missing = token[lastLead] & 0xF0 == 0xE0 ? max(0, 3 - (token.count - lastLead)) : 0
            guard (1...2).contains(leading) || missing > 0 else { continue }
            tested += 1
            for variant in 0..<24 {
                // A three-byte character ending with the token's leading bytes, then the token,
                // its last character completed, then more characters.
                var bytes: [UInt8] = (0..<random.below(3)).flatMap { _ in pool[random.below(pool.count)] }
                if (1...2).contains(leading) {
                    bytes += [UInt8(0xE0 + (variant % 2 == 0 ? 4 + random.below(6) : random.below(16)))]
                    if leading == 1 { bytes.append(continuation()) }
                }
                bytes += token
                bytes += (0..<missing).map { _ in continuation() }
                bytes += (0..<(1 + random.below(3))).flatMap { _ in pool[random.below(pool.count)] }
                cuts += expectExactCuts(bytes, "token \(rank), variant \(variant)")
            }
        }
        #expect(tested > 800, "tokens starting or ending inside a character: \(tested)")
        #expect(cuts > 20_000, "cuts made: \(cuts)")
    }

    /// Runs of three-byte characters from the Chinese, Japanese and Korean corpora; most of
    /// their boundaries that no token spans are found (the filter's false positives and the
    /// conservative flags keep some uncut).
    @Test(
        .needsShared,
        arguments: [
            ("zh_hongloumeng.txt", 0.55), ("zh_opensubtitles_sampled.txt", 0.33),
            ("ja_wagahaiwa_nekodearu.txt", 0.70), ("ko_chatbot_data.csv", 0.75),
        ])
    func corpusRunsAreCutExactly(file: String, minimumShare: Double) throws {
        let text = try String(contentsOf: Reference.corpusDirectory.appendingPathComponent(file), encoding: .utf8)
        var runs: [[UInt8]] = []
        var current: [UInt8] = []
        for scalar in text.unicodeScalars.prefix(150_000) {
            if (0x800...0xFFFF).contains(scalar.value) {
                current += Array(String(Character(scalar)).utf8)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        var boundaries = 0, cuts = 0
        for (index, run) in runs.enumerated() where run.count >= 6 {
            boundaries += run.count / 3 - 1
            cuts += expectExactCuts(run, "\(file) run \(index)")
        }
        let share = Double(cuts) / Double(max(boundaries, 1))
        #expect(share >= minimumShare, "\(file): \(cuts) of \(boundaries) boundaries cut (\(share))")
    }
}
