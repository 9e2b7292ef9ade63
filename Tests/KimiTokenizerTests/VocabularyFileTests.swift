import Foundation
import KimiTokenizer
import Testing

/// Loading rejects every malformed vocabulary with an error that names the line.
@Suite("Vocabulary file validation")
struct VocabularyFileTests {
    /// A well-formed file: every single byte, then the given extra tokens.
    static func file(extra: [String] = [], mutate: (inout [String]) -> Void = { _ in }) -> [UInt8] {
        var lines = (0..<256).map { Data([UInt8($0)]).base64EncodedString() + " \($0)" }
        for (offset, token) in extra.enumerated() {
            lines.append(Data(token.utf8).base64EncodedString() + " \(256 + offset)")
        }
        mutate(&lines)
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    func load(_ bytes: [UInt8], strict: Bool = false) throws -> Vocabulary {
        try Vocabulary(data: bytes, path: "test.model", strict: strict)
    }

    @Test func wellFormedFileLoads() throws {
        let vocabulary = try load(Self.file(extra: ["ab", "abc"]))
        #expect(vocabulary.count == 258)
        #expect(vocabulary.known == nil)
        #expect(Array(vocabulary.bytes(ofRank: 257)) == Array("abc".utf8))
        #expect(Array("ab".utf8).withUnsafeBufferPointer { vocabulary.rank(of: $0) } == 256)
        #expect(Array("zz".utf8).withUnsafeBufferPointer { vocabulary.rank(of: $0) } == nil)
    }

    @Test func crlfAndBlankLinesAreAccepted() throws {
        let text = String(decoding: Self.file(), as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(try load(Array(text.utf8)).count == 256)
    }

    @Test func badBase64NamesTheLine() {
        #expect(
            throws: VocabularyError.malformedLine(
                path: "test.model", line: 3,
                reason: "'!!!' is not valid base64 of a non-empty token")
        ) {
            try load(Self.file { $0[2] = "!!! 2" })
        }
    }

    @Test func missingRankFieldNamesTheLine() {
        #expect(
            throws: VocabularyError.malformedLine(
                path: "test.model", line: 5,
                reason: "expected 'BASE64 RANK' separated by one space")
        ) {
            try load(Self.file { $0[4] = "BA==" })
        }
    }

    @Test func nonNumericRankNamesTheLine() {
        #expect(
            throws: VocabularyError.malformedLine(
                path: "test.model", line: 1,
                reason: "rank '-0' is not a number below 1073741824")
        ) {
            try load(Self.file { $0[0] = "AA== -0" })
        }
    }

    @Test func duplicateTokenNamesBothLines() {
        #expect(throws: VocabularyError.duplicateToken(path: "test.model", line: 258, firstLine: 257)) {
            try load(Self.file(extra: ["ab", "ab"]))
        }
    }

    @Test func duplicateRankNamesBothLines() {
        #expect(throws: VocabularyError.duplicateRank(path: "test.model", line: 257, rank: 7, firstLine: 8)) {
            try load(Self.file(extra: ["ab"]) { $0[256] = Data("ab".utf8).base64EncodedString() + " 7" })
        }
    }

    @Test func missingRankIsReported() {
        #expect(throws: VocabularyError.missingRank(path: "test.model", rank: 256, count: 258)) {
            try load(Self.file(extra: ["ab"]) { $0[256] = Data("ab".utf8).base64EncodedString() + " 257" })
        }
    }

    @Test func missingSingleByteIsReported() {
        #expect(throws: VocabularyError.missingByte(path: "test.model", byte: 0x41)) {
            try load(Self.file(extra: ["ab"]) { $0[65] = Data("xy".utf8).base64EncodedString() + " 65" })
        }
    }

    @Test func emptyFileIsRejected() {
        #expect(throws: VocabularyError.self) { try load([]) }
    }

    @Test func unknownHashIsRejectedOnlyWhenStrict() throws {
        #expect(throws: VocabularyError.self) { try load(Self.file(), strict: true) }
        #expect(try load(Self.file(), strict: false).known == nil)
    }

    @Test func knownVocabularyTableHasKimiK2() {
        let kimi = KnownVocabulary.matching(sha256: "b6c497a7469b33ced9c38afb1ad6e47f03f5e5dc05f15930799210ec050c5103")
        #expect(kimi?.rankCount == 163_584)
        #expect(kimi?.byteCount == 2_795_286)
    }
}
