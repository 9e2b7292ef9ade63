import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTesting
import KimiTokenizer
import TestSupport
import Testing

/// The inspector on Kimi K2.5 prompts that the reference renders with its `k25` profile: each
/// K2.5 finding fires where it must and stays silent on a correct prompt.
enum K25InspectorTests {
    static let tools = InspectorOracleTests.tools
    static let clean = InspectorOracleTests.clean

    /// A conversation whose last assistant turn calls a tool, and an image in a user turn.
    static let withImage =
        #"[{"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}, {"role": "assistant", "content": "", "reasoning_content": "Look it up.", "tool_calls": [{"id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}, {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "21°C"}]"#

    /// The oracle's K2.5 prompt and IDs (`profile` k25 unless given).
    static func render(
        _ messages: String, tools: String? = tools, generationPrompt: Bool = true,
        variables: String = "{}", profile: String = "k25"
    ) throws -> (prompt: String, ids: [Int]) {
        let line =
            "{\"op\":\"render\",\"profile\":\"\(profile)\",\"messages\":\(messages),\"tools\":\(tools ?? "null"),\"add_generation_prompt\":\(generationPrompt),\"variables\":\(variables)}"
        let answer = try Reference.k25Oracle.get().batch(lines: [line])[0]
        guard let prompt = answer["prompt"] as? String, let ids = answer["ids"] as? [Int] else {
            throw OracleFailure(message: "oracle: \(answer["error"] ?? answer)")
        }
        return (prompt, ids)
    }

    static func checker() throws -> PromptChecker {
        let checker = try #require(PromptChecker(tokenizer: try Reference.k25Tokenizer.get()))
        #expect(checker.family.format is K25ChatFormat)
        return checker
    }

    static func findings(_ ids: [Int], request: String? = nil, tools: String? = tools, thinking: Bool? = nil) throws -> [Finding] {
        let parsed = try request.map { try ChatRequest.read(messagesJSON: Array($0.utf8), toolsJSON: tools.map { Array($0.utf8) }) }
        let toolValues = try tools.map { try ChatRequest.readTools(Array($0.utf8)) }
        return try checker().check(ids, options: .init(request: parsed, tools: toolValues, thinking: thinking))
    }

    static func codes(_ ids: [Int], request: String? = nil, tools: String? = tools, thinking: Bool? = nil) throws -> Set<FindingCode> {
        Set(try findings(ids, request: request, tools: tools, thinking: thinking).map(\.code))
    }

}

extension LiveInspectorParity {
    @Test func aCorrectPromptSaysWhichGenerationPromptItEndsWith() throws {
        let thinking = try K25InspectorTests.render(K25InspectorTests.clean)
        #expect(thinking.prompt.hasSuffix("<|im_assistant|>assistant<|im_middle|><think>"))
        let found = try K25InspectorTests.findings(thinking.ids, request: K25InspectorTests.clean)
        #expect(found.map(\.code) == [.generationPrompt], "\(found)")
        #expect(found.first?.severity == .info && found.first?.message.contains("(thinking)") == true)
        let off = try K25InspectorTests.render(K25InspectorTests.clean, variables: #"{"thinking": false}"#)
        #expect(off.prompt.hasSuffix("<think></think>"))
        #expect(try K25InspectorTests.codes(off.ids, request: K25InspectorTests.clean, thinking: false) == [.generationPrompt])
    }
    @Test func thinkingModeMismatchIsAWarning() throws {
        let off = try K25InspectorTests.render(K25InspectorTests.clean, variables: #"{"thinking": false}"#)
        #expect(try K25InspectorTests.codes(off.ids, request: K25InspectorTests.clean).contains(.thinkingModeMismatch))
        let on = try K25InspectorTests.render(K25InspectorTests.clean)
        #expect(try K25InspectorTests.codes(on.ids, request: K25InspectorTests.clean, thinking: false).contains(.thinkingModeMismatch))
    }
    @Test func missingGenerationPromptOrMissingThink() throws {
        let without = try K25InspectorTests.render(K25InspectorTests.clean, generationPrompt: false)
        #expect(try K25InspectorTests.codes(without.ids).contains(.missingGenerationPrompt))
        let headerOnly = try K25InspectorTests.render(K25InspectorTests.clean).ids.dropLast()
        let found = try K25InspectorTests.findings(Array(headerOnly))
        #expect(found.contains { $0.code == .missingGenerationPrompt && $0.message.contains("not with <think>") })
    }
    @Test func thinkSpelledAsTextIsSpecialTokenAsText() throws {
        let (prompt, ids) = try K25InspectorTests.render(K25InspectorTests.clean)
        let tokenizer = try Reference.k25Tokenizer.get()
        let think = try #require(tokenizer.specialTokens.id(named: "<think>"))
        let spelled = try tokenizer.encode("<think>", mode: .ordinary)
        let asText = ids.flatMap { $0 == think ? spelled : [$0] }
        let found = try K25InspectorTests.findings(asText)
        #expect(found.contains { $0.code == .specialTokenAsText && $0.message.contains("<think>") }, "\(found)")
        // With K2's configuration <think> is text, and a K2 check does not flag it.
        let k2 = try Reference.tokenizer.get().encode(prompt, mode: .hf)
        let k2Checker = try #require(PromptChecker(tokenizer: try Reference.tokenizer.get()))
        #expect(k2Checker.family.format is K2ChatFormat)
        #expect(!k2Checker.check(k2).contains { $0.code == .specialTokenAsText })
    }
    @Test func jsonToolDeclarationIsFoundAndClassified() throws {
        let reference = try K25InspectorTests.render(K25InspectorTests.clean)
        let engine = try K25InspectorTests.render(K25InspectorTests.clean, profile: "k2")
        #expect(engine.prompt.contains("tool_declare<|im_middle|>[{"))
        let found = try K25InspectorTests.findings(engine.ids, request: K25InspectorTests.clean)
        #expect(found.contains { $0.code == .toolDeclarationJSON && $0.severity == .error }, "\(found)")
        #expect(!(try K25InspectorTests.codes(reference.ids, request: K25InspectorTests.clean).contains(.toolDeclarationJSON)))
        let comparison = StreamComparison(reference: reference.ids, engine: engine.ids, tokenizer: try Reference.k25Tokenizer.get())
        #expect(comparison.classification == .toolDeclarationJSON)
    }
    @Test func toolCallsInsideAnUnclosedThinkAreFlagged() throws {
        let rendered = try K25InspectorTests.render(K25InspectorTests.withImage)
        #expect(try K25InspectorTests.codes(rendered.ids, request: K25InspectorTests.withImage) == [.generationPrompt])
        let broken = rendered.prompt.replacingOccurrences(of: "Look it up.</think>", with: "Look it up.")
        #expect(broken != rendered.prompt)
        let ids = try Reference.k25Tokenizer.get().encode(broken, mode: .hf)
        #expect(try K25InspectorTests.codes(ids).contains(.toolCallInReasoning))
    }
    @Test func mediaTokensAreAcceptedWhereTheTemplatePutsThemOnly() throws {
        let rendered = try K25InspectorTests.render(K25InspectorTests.withImage)
        #expect(rendered.prompt.contains("<|media_begin|>image<|media_content|><|media_pad|><|media_end|>"))
        #expect(!(try K25InspectorTests.codes(rendered.ids).contains(.misplacedMediaToken)))
        let pad = try #require(try Reference.k25Tokenizer.get().specialTokens.id(named: "<|media_pad|>"))
        var stray = rendered.ids
        stray.insert(pad, at: 6)
        #expect(try K25InspectorTests.codes(stray).contains(.misplacedMediaToken))
    }
    @Test func compareNamesAMissingK25GenerationPrompt() throws {
        let reference = try K25InspectorTests.render(K25InspectorTests.clean).ids
        let tokenizer = try Reference.k25Tokenizer.get()
        for dropped in 1...4 {
            let comparison = StreamComparison(reference: reference, engine: Array(reference.dropLast(dropped)), tokenizer: tokenizer)
            #expect(comparison.classification == .missingGenerationPrompt, "dropping \(dropped)")
        }
        #expect(StreamComparison(reference: reference, engine: Array(reference.dropLast(5)), tokenizer: tokenizer).classification == .truncation)
    }
    @Test func kimiTestingRendersK25LikeTheOracle() throws {
        let kimi = try KimiPromptExpectations(modelDirectory: Reference.modelDirectory("kimi-k2.5"))
        let reference = try K25InspectorTests.render(K25InspectorTests.clean)
        let ours = try kimi.referenceIDs(messagesJSON: Array(K25InspectorTests.clean.utf8), toolsJSON: Array(K25InspectorTests.tools.utf8))
        #expect(ours == reference.ids)
        try kimi.expectEndsWithGenerationPrompt(ours)
        try kimi.expectNoErrors(ours)
        #expect(throws: KimiExpectationFailure.self) { try kimi.expectEndsWithGenerationPrompt(Array(ours.dropLast())) }
        let off = try kimi.referenceIDs(
            messagesJSON: Array(K25InspectorTests.clean.utf8), toolsJSON: Array(K25InspectorTests.tools.utf8),
            variables: ["thinking": .bool(false)])
        #expect(off == (try K25InspectorTests.render(K25InspectorTests.clean, variables: #"{"thinking": false}"#).ids))
    }
    @Test func toolCallsInK25OutputAfterAndInsideTheReasoning() {
        let tools = try? ChatRequest.readTools(Array(K25InspectorTests.tools.utf8))
        let output =
            "I should look.</think>Checking.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_calls_section_end|>"
        let report = ToolCallReport(output: output, tools: tools)
        #expect(report.reasoning == "I should look.")
        #expect(report.content == "Checking.")
        #expect(report.summary == ToolCallReport.Summary(calls: 1, valid: 1))
        let inside =
            "<think>maybe <|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_calls_section_end|>"
        let unclosed = ToolCallReport(output: inside, tools: tools)
        #expect(unclosed.summary.inReasoning == 1 && unclosed.summary.valid == 0)
        #expect(unclosed.calls.first?.problems.map(\.code) == ["in-reasoning"])
    }
}
