import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTokenizer
import Testing

/// Invariants over many inputs, and the same answers from many threads at once.
@Suite("Properties and concurrency")
struct PropertyTests {
    static func texts(_ count: Int, seed: UInt64) -> [String] {
        var random = RandomText(seed: seed)
        return (0..<count).map { _ in random.string(maximumAtoms: 40) }
    }

    @Test func encodingIsDeterministicAndHFAgreesWithTiktokenBelowTheSplit() throws {
        let tokenizer = try Reference.tokenizer.get()
        for text in Self.texts(5_000, seed: 0x9A0B) {
            let hf = try tokenizer.encode(text, mode: .hf)
            #expect(try tokenizer.encode(text, mode: .hf) == hf)
            #expect(try tokenizer.encode(text, mode: .tiktoken) == hf, "no run reaches 25,000 characters here")
            #expect(try tokenizer.decode(hf) == text)
        }
    }

    @Test func compareOfAStreamWithItselfIsEqual() throws {
        let tokenizer = try Reference.tokenizer.get()
        for text in Self.texts(300, seed: 0xC0C0) {
            let ids = try tokenizer.encode(text)
            let comparison = StreamComparison(reference: ids, engine: ids, tokenizer: tokenizer)
            #expect(comparison.equal && comparison.hunks.isEmpty && comparison.classification == "equal")
        }
    }

    @Test func encodeAndRenderFromManyTasksMatchSequentialResults() async throws {
        let tokenizer = try Reference.tokenizer.get()
        // Short texts, and long ones that go through the per-call piece cache.
        let texts = Self.texts(2_000, seed: 0x7A5C) + (0..<40).map { Self.texts(100, seed: UInt64($0)).joined(separator: " ") }
        let sequential = try texts.map { try tokenizer.encode($0) }
        let template = try Template(source: try String(contentsOf: Reference.sharedDirectory.appendingPathComponent("templates/kimi-k2.5.jinja"), encoding: .utf8), name: "k2.5")
        let renderer = ChatRenderer(template: template)
        let requests = try texts.prefix(200).map { text in
            try ChatRequest.read(messagesJSON: Array("[{\"role\": \"user\", \"content\": \(JSONText.quote(text))}]".utf8))
        }
        let rendered = try requests.map { try renderer.render($0) }
        let (encoded, renders) = try await withThrowingTaskGroup(of: (Int, [Int]?, String?).self) { group in
            for index in texts.indices {
                group.addTask {
                    let ids = try tokenizer.encode(texts[index])
                    let prompt = index < requests.count ? try renderer.render(requests[index]) : nil
                    return (index, ids, prompt)
                }
            }
            var encoded = [[Int]](repeating: [], count: texts.count)
            var renders = [String](repeating: "", count: requests.count)
            for try await (index, ids, prompt) in group {
                encoded[index] = ids ?? []
                if let prompt { renders[index] = prompt }
            }
            return (encoded, renders)
        }
        #expect(encoded == sequential)
        #expect(renders == rendered)
    }
}
