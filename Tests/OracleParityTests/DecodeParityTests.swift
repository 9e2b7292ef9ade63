import Foundation
import KimiTokenizer
import TestSupport
import Testing

enum DecodeParityTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

}

extension LiveTokenizerParity {
    @Test("every vocabulary entry decodes to the reference bytes and re-encodes identically")
    func everyVocabularyEntry() throws {
        let tokenizer = try Reference.tokenizer.get()
        let ids = Array(0..<tokenizer.tokenCount)
        var mismatchedBytes = 0
        let chunks = stride(from: 0, to: ids.count, by: 4_096).map { Array(ids[$0..<min($0 + 4_096, ids.count)]) }
        let answers = try Reference.decode(chunks)
        for (chunk, answer) in zip(chunks, answers) {
            let ours = try tokenizer.tokenBytes(chunk).map(DecodeParityTests.hex)
            mismatchedBytes += zip(ours, answer.bytesHex).filter { $0 != $1 }.count
            #expect(try tokenizer.decode(chunk) == answer.text)
        }
        print("decode parity: \(ids.count - mismatchedBytes)/\(ids.count) token byte strings identical")
        #expect(mismatchedBytes == 0)

        // Re-encode every entry whose bytes are text, in every mode.
        let texts = ids.compactMap { id -> String? in
            try? UTF8Input.decode(tokenizer.tokenBytes(id))
        }
        for mode in EncodeMode.allCases {
            try Parity.check(texts, mode: mode, label: "vocabulary entries re-encoded (\(texts.count) valid UTF-8)")
        }
    }
    @Test("random ID sequences decode to the reference text, U+FFFD included")
    func randomSequences() throws {
        let tokenizer = try Reference.tokenizer.get()
        var random = RandomText(seed: 0xDEC0DE)
        let lists = (0..<5_000).map { _ in
            (0..<1 + random.below(12)).map { _ in
                random.below(10) == 0
                    ? tokenizer.specialTokens.firstID + random.below(258)
                    : random.below(tokenizer.vocabulary.count)
            }
        }
        let answers = try Reference.decode(lists)
        var identical = 0
        for (list, answer) in zip(lists, answers) where try tokenizer.decode(list) == answer.text {
            identical += 1
        }
        print("decode parity: \(identical)/\(lists.count) random ID sequences give identical text")
        #expect(identical == lists.count)
    }
}
