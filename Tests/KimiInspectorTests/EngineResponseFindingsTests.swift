import KimiChatTemplate
import KimiIO
import KimiInspector
import Testing

/// Each finding `parse-tool-calls --engine` reports, from an engine answer set against
/// kimi-tok's own reading of the output.
@Suite("Engine answers: what each finding reports")
struct EngineResponseFindingsTests {
    static let tools = [
        try! JSONReader.parseValue(Array(#"{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}"#.utf8))
    ]
    static let output =
        "Hi<|tool_calls_section_begin|><|tool_call_begin|>functions.f:0<|tool_call_argument_begin|>{\"a\": \"x}y\"}<|tool_call_end|><|tool_call_begin|>functions.f:1<|tool_call_argument_begin|>{\"b\": 2}<|tool_call_end|><|tool_calls_section_end|>"

    func codes(_ response: EngineResponse, context: EngineResponseContext = EngineResponseContext(tools: tools)) -> [String] {
        let report = ToolCallReport(output: Self.output, tools: Self.tools)
        return EngineResponseFindings.findings(response, output: Self.output, report: report, parser: VLLMKimiK2OutputParser(), context: context).map(
            \.code.rawValue)
    }

    @Test func anAnswerThatKeepsEverythingHasNoFindings() {
        let response = EngineResponse(
            content: "Hi", reasoning: nil,
            toolCalls: [.init(id: "functions.f:0", name: "f", arguments: "{\"a\": \"x}y\"}"), .init(id: "functions.f:1", name: "f", arguments: "{\"b\":2}")])
        #expect(codes(response).isEmpty)
    }

    @Test func eachLossIsNamed() {
        let cut = EngineResponse(content: "Hi", reasoning: nil, toolCalls: [.init(id: "functions.f:0", name: "f", arguments: "{\"a\": \"x}")])
        #expect(codes(cut) == ["engine-cut-arguments", "engine-dropped-tool-call"])
        let swollen = EngineResponse(
            content: "Hi", reasoning: nil,
            toolCalls: [.init(id: "functions.f:0", name: "f", arguments: "{\"a\": \"x}y\"}<|tool_call_begin|>functions.f:1{\"b\": 2}")])
        #expect(codes(swollen) == ["engine-markup-in-arguments", "engine-dropped-tool-call"])
        let renamed = EngineResponse(
            content: "Hi", reasoning: nil,
            toolCalls: [.init(id: "functions.f:2", name: "f", arguments: "{\"a\": \"x}y\"}"), .init(id: "functions.f:3", name: "f", arguments: "{\"b\": 2}")])
        #expect(codes(renamed) == ["engine-rewrote-tool-call-id", "engine-rewrote-tool-call-id"])
        let random = EngineResponse(
            content: "Hi", reasoning: nil,
            toolCalls: [
                .init(id: EngineResponse.ToolCall.generatedID, idGenerated: true, name: "f", arguments: "{\"a\": \"x}y\"}"),
                .init(id: EngineResponse.ToolCall.generatedID, idGenerated: true, name: "f", arguments: "{\"b\": 2}"),
            ])
        #expect(codes(random).isEmpty)
        let swallowed = EngineResponse(content: nil, reasoning: "Hi" + Self.output.dropFirst(2), toolCalls: [])
        #expect(codes(swallowed) == ["engine-dropped-tool-call", "engine-dropped-tool-call", "engine-reasoning-swallowed"])
        let markup = EngineResponse(content: Self.output, reasoning: nil, toolCalls: nil)
        #expect(codes(markup, context: EngineResponseContext(tools: Self.tools, toolChoice: .string("none"))).suffix(1) == ["engine-tool-calls-as-content"])
        let refused = EngineResponse(content: "Hi", reasoning: nil, toolCalls: [], requestError: "Tools cannot be empty if tool choice is set to required.")
        #expect(codes(refused).first == "engine-refused-request")
    }
}
