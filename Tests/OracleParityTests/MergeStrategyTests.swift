@_spi(Testing) import KimiTokenizer
import TestSupport
import Testing

/// The three merge strategies give the same IDs on any bytes: tiktoken's scan, the heap merge
/// and the backtracking merge. The oracle suites check the encoder as a whole; this checks the
/// backtracking tables themselves, on inputs the pre-tokenizer would never produce.
@Suite("Merge strategies agree", .needsVocabulary)
struct MergeStrategyTests {
    let tokenizer: KimiTokenizer
    var vocabulary: Vocabulary { tokenizer.vocabulary }

    init() throws {
        tokenizer = try Reference.tokenizer.get()
    }

    /// The backtracking and heap IDs of `bytes`, and the scan's when it is short enough to be cheap.
    func merges(_ bytes: [UInt8]) -> (backtracking: [Int]?, heap: [Int]?, scan: [Int]?) {
        (
            tokenizer.merge(bytes, by: .backtracking), tokenizer.merge(bytes, by: .heap),
            bytes.count <= 256 ? tokenizer.merge(bytes, by: .scan) : nil
        )
    }

    func expectAgreement(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> Bool {
        let result = merges(bytes)
        let agree = result.backtracking == result.heap && (result.scan == nil || result.scan == result.heap)
        #expect(
            agree && result.heap != nil,
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
            let scalar: Unicode.Scalar =
                wide
                ? Unicode.Scalar(UInt32(0x3040 + random.below(0x6A00))) ?? "中"
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

    /// No boundary of the heap merge (the reference) falls inside a character the backtracking
    /// merge treats as split-free, in runs of characters from the scripts where most of them
    /// are, mixed with others and with random tokens.
    @Test func splitFreeCharactersAreNeverSplit() throws {
        let scripts: [ClosedRange<UInt32>] = [
            0x0400...0x04FF, 0x0370...0x03FF, 0x0600...0x06FF, 0x3040...0x30FF,
            0x4E00...0x9FFF, 0xAC00...0xD7AF, 0x00C0...0x024F, 0x3000...0x303F,
        ]
        let splitFree = scripts.flatMap { $0.compactMap(Unicode.Scalar.init) }.filter { tokenizer.isSplitFree($0) == true }
        // Most of the corpora's characters are among them (88% of Russian's, 94% of Chinese's).
        #expect(splitFree.count > 3000, "split-free characters: \(splitFree.count)")
        for common in ["и", "о", "的", "是", "の", "ا"] {
            #expect(tokenizer.isSplitFree(try #require(common.unicodeScalars.first)) == true, "\(common)")
        }
        // A character that is not one token is split somewhere, so it never qualifies.
        let notTokens = scripts.flatMap { $0.compactMap(Unicode.Scalar.init) }.filter { scalar in
            Array(String(Character(scalar)).utf8).withUnsafeBufferPointer { vocabulary.rank(of: $0) } == nil
        }
        #expect(!notTokens.isEmpty && notTokens.allSatisfy { tokenizer.isSplitFree($0) == false })
        var random = RandomText(seed: 0x4B49_4D4E)
        var failures = 0
        for index in 0..<20_000 where failures < 5 {
            var bytes: [UInt8] = []
            for _ in 0...random.below(12) {
                switch random.below(4) {
                case 0: bytes += vocabulary.bytes(ofRank: random.below(vocabulary.count))
                case 1: bytes += Array(random.string(maximumAtoms: 3).utf8)
                default: bytes += Array(String(Character(random.pick(splitFree))).utf8)
                }
            }
            guard let ids = tokenizer.merge(bytes, by: .heap) else { continue }
            var end = 0
            for id in ids.dropLast() {
                end += vocabulary.bytes(ofRank: id).count
                // The character around the boundary, if the bytes there are UTF-8.
                var lead = end
                while lead > 0, end - lead < 3, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
                let length = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
                guard lead < end, lead + length > end, lead + length <= bytes.count,
                    let scalar = String(validating: bytes[lead..<lead + length], as: UTF8.self)?.unicodeScalars.first
                else { continue }
                if tokenizer.isSplitFree(scalar) == true {
                    failures += 1
                    Issue.record("input \(index): a boundary inside split-free \(scalar) at byte \(end) of \(bytes)")
                }
            }
            if !expectAgreement(bytes, "split-free mix \(index)") { failures += 1 }
        }
    }

    /// The backtracking merge remembering valid pairs across pieces, in a memo small enough
    /// for pairs to replace one another, gives the heap's IDs.
    @Test func rememberedPairsAgree() {
        var random = RandomText(seed: 0x4B49_4D4F)
        let pieces = (0..<20_000).map { _ in Array(random.string(maximumAtoms: 12).utf8) }.filter { !$0.isEmpty }
        guard let remembered = tokenizer.mergeRememberingPairs(pieces) else {
            Issue.record("a backtracking search with remembered pairs did not finish")
            return
        }
        var failures = 0
        for (index, piece) in pieces.enumerated() where failures < 5 && remembered[index] != tokenizer.merge(piece, by: .heap) {
            failures += 1
            Issue.record("piece \(index) \(piece): remembered \(remembered[index]), heap \(tokenizer.merge(piece, by: .heap) ?? [])")
        }
    }

    /// Pieces of two to eight bytes, where the scan has cases of its own (three and four
    /// bytes): drawn from base64's alphabet, from two bytes (runs and alternations, where a
    /// pair's rank equals another's and the leftmost must merge first), and cut from tokens.
    @Test func shortPiecesAgree() {
        var random = RandomText(seed: 0x4B49_4D4F)
        let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var failures = 0
        for index in 0..<60_000 where failures < 5 {
            let count = 2 + random.below(7)
            var bytes: [UInt8]
            switch random.below(3) {
            case 0:
                bytes = (0..<count).map { _ in random.pick(base64) }
            case 1:
                let pair = [random.pick(base64 + Array(" -=_.\n".utf8)), random.pick(base64 + Array(" -=_.".utf8))]
                bytes = (0..<count).map { _ in pair[random.below(4) == 0 ? 1 : 0] }
            default:
                bytes = Array(vocabulary.bytes(ofRank: random.below(vocabulary.count)).prefix(count))
                while bytes.count < count { bytes.append(random.pick(base64)) }
            }
            if !expectAgreement(bytes, "short piece \(index)") { failures += 1 }
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
