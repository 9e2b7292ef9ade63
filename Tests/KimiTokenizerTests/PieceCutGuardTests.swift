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

    @Test func aTokenMergingNeverMakesDisallowsCuts() throws {
        // "中国" with none of its parts: its bytes merge to six single bytes, never to it.
        let vocabulary = try Self.vocabulary(extra: [[0xE4, 0xB8, 0xAD, 0xE5, 0x9B, 0xBD]])
        #expect(!vocabulary.cutsPieces)
    }
}
