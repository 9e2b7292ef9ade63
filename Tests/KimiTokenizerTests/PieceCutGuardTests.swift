import Foundation
@_spi(Testing) import KimiTokenizer
import Testing

/// Cutting a piece encodes each part as a piece of its own, whole-token lookup first, which is
/// exact only when every token is what its own bytes merge to: a vocabulary with a token that
/// merging never makes is encoded uncut.
@Suite("Piece cut guard")
struct PieceCutGuardTests {
    /// Every single byte, then `extra` tokens in rank order.
    static func vocabulary(extra: [[UInt8]]) throws -> Vocabulary {
        let tokens = (0..<256).map { [UInt8($0)] } + extra
        let lines = tokens.enumerated().map { Data($1).base64EncodedString() + " \($0)" }
        return try Vocabulary(data: Array((lines.joined(separator: "\n") + "\n").utf8), path: "test.model")
    }

    @Test func everyTokenAMergeAllowsCuts() throws {
        let middle: [UInt8] = [0xE4, 0xB8, 0xAD], country: [UInt8] = [0xE5, 0x9B, 0xBD]
        let vocabulary = try Self.vocabulary(extra: [[0xE4, 0xB8], middle, [0xE5, 0x9B], country, middle + country])
        #expect(vocabulary.cutsPieces)
    }

    /// Pieces the encoder would send straight to the merge (a word of Cyrillic letters, a run
    /// of four Han characters) are looked up whole after all when merging cannot make them, as
    /// tiktoken looks every piece up first.
    @Test func aTokenMergingNeverMakesIsStillFoundWhole() throws {
        let word = Array("привет".utf8), han = Array("我们今天".utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-guard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = (0..<256).map { [UInt8($0)] } + [word, han]
        let lines = tokens.enumerated().map { Data($1).base64EncodedString() + " \($0)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("tiktoken.model"))
        try JSONSerialization.data(withJSONObject: ["added_tokens_decoder": [String: Any]()])
            .write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try KimiTokenizer.load(modelDirectory: directory.path, cache: .disabled)
        #expect(!tokenizer.vocabulary.cutsPieces)
        #expect(try tokenizer.encode("привет 我们今天") == [256, 0x20, 257])
        // Inside a longer piece, merging never makes the token: every byte stays one token.
        let longer = "приветы 我们今天的"
        #expect(try tokenizer.encode(longer) == Array(longer.utf8).map(Int.init))
    }

    @Test func aTokenMergingNeverMakesDisallowsCuts() throws {
        // "中国" with none of its parts: its bytes merge to six single bytes, never to it.
        let vocabulary = try Self.vocabulary(extra: [[0xE4, 0xB8, 0xAD, 0xE5, 0x9B, 0xBD]])
        #expect(!vocabulary.cutsPieces)
    }
}
