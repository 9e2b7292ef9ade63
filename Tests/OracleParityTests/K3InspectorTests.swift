import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTesting
import KimiTokenizer
import TestSupport
import Testing

/// The inspector on Kimi K3 prompts that the reference renders with its `k3` profile: a
/// segment-wise prompt is clean; the joined-text encoding of the same text, an injected
/// `<|open|>`, markers spelled as text, K2 markers and wrong call indexes are found.
enum K3InspectorTests {
    static let messages =
        #"[{"role": "user", "content": "hi <|open|> there"}, {"role": "assistant", "content": "ok", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": "21"}, {"role": "user", "content": "and Rome?"}]"#
    static let tools =
        #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]"#

    static func tokenizer() throws -> KimiTokenizer {
        try KimiTokenizer.load(ModelDirectory(path: Reference.modelDirectory("kimi-k3"), source: .option))
    }

    /// The oracle's prompt, IDs and segments.
    static func render(_ messages: String = messages, tools: String? = tools) throws -> (prompt: String, ids: [Int], segments: [PromptSegment]) {
        let line = "{\"op\":\"render\",\"profile\":\"k3\",\"messages\":\(messages),\"tools\":\(tools ?? "null")}"
        let answer = try Reference.k3Oracle.get().batch(lines: [line])[0]
        guard let prompt = answer["prompt"] as? String, let ids = answer["ids"] as? [Int], let pairs = answer["segments"] as? [[Any]] else {
            throw OracleFailure(message: "oracle: \(answer["error"] ?? answer)")
        }
        return (prompt, ids, pairs.compactMap { pair in (pair.first as? String).map { PromptSegment(text: $0, special: pair.last as? Bool ?? false) } })
    }

    static func codes(_ ids: [Int], segments: [PromptSegment]? = nil) throws -> Set<FindingCode> {
        let checker = try #require(PromptChecker(tokenizer: try tokenizer()))
        #expect(checker.family.format is K3ChatFormat)
        return Set(checker.check(ids, options: .init(referenceSegments: segments)).map(\.code))
    }

}

/// K3 tool calls in model output: typed arguments and json blocks, validated, the same however
/// the stream is cut.
@Suite("K3 tool-call parsing")
struct K3ToolCallParsingTests {
    static let output =
        #"I should check.<|close|>think<|sep|><|open|>response<|sep|>Checking.<|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool="get_weather" index="1"<|sep|><|open|>argument key="city" type="string"<|sep|>Par"is<|close|>argument<|sep|><|open|>argument key="days" type="number"<|sep|>3<|close|>argument<|sep|><|open|>argument key="ok" type="boolean"<|sep|>true<|close|>argument<|sep|><|close|>call<|sep|><|open|>call tool="a&amp;b" index="3"<|sep|><|open|>json type="object"<|sep|>{"q": 1<|close|>json<|sep|><|close|>call<|sep|><|close|>tools<|sep|><|close|>message<|sep|><|end_of_msg|>"#

    @Test func typedArgumentsJSONBlocksAndProblems() throws {
        let tools = try ChatRequest.readTools(
            Array(
                #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}}]"#
                    .utf8))
        let report = ToolCallReport(k3Output: Self.output, tools: tools)
        #expect(report.reasoning == "I should check.")
        #expect(report.content == "Checking.")
        #expect(report.calls.count == 2)
        #expect(report.calls[0].arguments == #"{"city": "Par\"is", "days": 3, "ok": true}"#)
        #expect(report.calls[0].valid, "\(report.calls[0].problems)")
        #expect(report.calls[1].name == "a&b")
        #expect(Set(report.calls[1].problems.map(\.code)) == ["invalid-index", "undeclared-tool", "invalid-json"])
    }

    @Test func streamedAndOnePieceParsesAgree() {
        let whole = K3ToolCallParser.parse(Self.output)
        for size in [1, 2, 3, 7, 13] {
            var parser = K3ToolCallParser()
            var events: [K3ToolCallParser.Event] = []
            var chunk = ""
            for character in Self.output {
                chunk.append(character)
                if chunk.count == size { events += parser.feed(chunk); chunk = "" }
            }
            events += parser.feed(chunk) + parser.finish()
            func merged(_ list: [K3ToolCallParser.Event]) -> [K3ToolCallParser.Event] {
                var out: [K3ToolCallParser.Event] = []
                for event in list {
                    switch (out.last, event) {
                    case let (.reasoning(a)?, .reasoning(b)): out[out.count - 1] = .reasoning(a + b)
                    case let (.content(a)?, .content(b)): out[out.count - 1] = .content(a + b)
                    default: out.append(event)
                    }
                }
                return out
            }
            #expect(merged(events) == merged(whole), "chunks of \(size)")
        }
        let cut = K3ToolCallParser.parse(String(Self.output.prefix(260)))
        #expect(cut.contains { if case let .call(_, _, _, complete) = $0 { !complete } else { false } })
    }
}

extension LiveInspectorParity {
    @Test func theSegmentWisePromptIsClean() throws {
        let (_, ids, segments) = try K3InspectorTests.render()
        #expect(try K3InspectorTests.codes(ids) == [.generationPrompt])
        #expect(try K3InspectorTests.codes(ids, segments: segments) == [.generationPrompt])
    }
    @Test func theJoinedTextEncodingAndTheInjectedOpenAreFound() throws {
        let (prompt, ids, segments) = try K3InspectorTests.render()
        let joined = try K3InspectorTests.tokenizer().encode(prompt, mode: .hf)
        #expect(joined != ids)
        let found = try K3InspectorTests.codes(joined, segments: segments)
        #expect(found.contains(.joinedTextEncoding) && found.contains(.controlTokenInText), "\(found)")
        let comparison = StreamComparison(reference: ids, engine: joined, tokenizer: try K3InspectorTests.tokenizer())
        #expect(comparison.classification == .joinedTextEncoding)
        // Without the injection, the joined text still merges across segment borders.
        let (plainPrompt, plainIDs, _) = try K3InspectorTests.render(#"[{"role": "user", "content": "hello"}]"#, tools: nil)
        let plainJoined = try K3InspectorTests.tokenizer().encode(plainPrompt, mode: .hf)
        if plainJoined != plainIDs { #expect(try K3InspectorTests.codes(plainJoined).contains(.joinedTextEncoding)) }
    }
    @Test func markersAsTextK2MarkersAndCallIndexes() throws {
        let tokenizer = try K3InspectorTests.tokenizer()
        let (_, ids, _) = try K3InspectorTests.render()
        let open = try #require(tokenizer.specialTokens.id(named: "<|open|>"))
        let asText = try tokenizer.encode("<|open|>", mode: .ordinary)
        #expect(try K3InspectorTests.codes(asText + Array(ids.dropFirst())).contains(.specialTokenAsText))
        #expect(ids.first == open)
        let (k2Prompt, _, _) = try K3InspectorTests.render(#"[{"role": "user", "content": "x<|im_end|>"}]"#, tools: nil)
        let k2IDs = try tokenizer.encode(segments: XTMLText.segments(of: k2Prompt))
        #expect(try K3InspectorTests.codes(k2IDs).contains(.foreignChatMarker))
        let (prompt, _, segments) = try K3InspectorTests.render()
        let wrongIndex = segments.map { $0.text == "1" && !$0.special ? PromptSegment(text: "2", special: false) : $0 }
        #expect(wrongIndex != segments)
        _ = prompt
        #expect(try K3InspectorTests.codes(try tokenizer.encode(segments: wrongIndex)).contains(.callIndexMismatch))
        let undeclared = segments.map { $0.text == "get_weather" ? PromptSegment(text: "book_flight", special: false) : $0 }
        let undeclaredCodes = try K3InspectorTests.codes(
            try tokenizer.encode(
                segments: undeclared.enumerated().map { index, segment in
                    // keep the declaration, rename only the call
                    index < 20 ? segments[index] : segment
                }))
        #expect(undeclaredCodes.contains(.undeclaredTool), "\(undeclaredCodes)")
    }
    @Test func missingGenerationPromptAndKimiTesting() throws {
        let (_, ids, _) = try K3InspectorTests.render()
        #expect(try K3InspectorTests.codes(Array(ids.dropLast(2))).contains(.missingGenerationPrompt))
        let kimi = try KimiPromptExpectations(modelDirectory: Reference.modelDirectory("kimi-k3"))
        let reference = try kimi.referenceIDs(messagesJSON: Array(K3InspectorTests.messages.utf8), toolsJSON: Array(K3InspectorTests.tools.utf8))
        #expect(reference == ids)
        try kimi.expectEndsWithGenerationPrompt(reference)
        try kimi.expectNoErrors(reference)
        try kimi.expectEqual(ids, reference: reference)
        #expect(throws: KimiExpectationFailure.self) {
            try kimi.expectEqual(try K3InspectorTests.tokenizer().encode(K3InspectorTests.render().prompt, mode: .hf), reference: reference)
        }
    }
}
