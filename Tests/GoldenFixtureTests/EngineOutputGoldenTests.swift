import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import TestSupport
import Testing

/// The engines' output parsers on the raw outputs of `Tests/Fixtures/engine-outputs.json`, a
/// sample of `../shared/engines/*-tool-parser.jsonl`: every answer the engine gave (vLLM with
/// and without its reasoning parser, streamed or not; SGLang with 0 and 2 history calls), field
/// for field. The whole files are replayed by the live suite.
@Suite("Golden engine answers: vLLM's and SGLang's parsers on recorded outputs")
struct EngineOutputGoldenTests {
    static func string(_ value: Any?) -> String? { value as? String }

    static func calls(_ value: Any?) -> [[String?]]? {
        guard let calls = value as? [[String: Any]] else { return nil }
        return calls.map { call in [string(call["id"]), string(call["name"]), string(call["arguments"])] + ((call["index"] as? Int).map { [String($0)] } ?? [])
        }
    }

    static func calls(of response: EngineResponse) -> [[String?]]? {
        response.toolCalls.map { $0.map { [$0.id, $0.name, $0.arguments] + ($0.index.map { [String($0)] } ?? []) } }
    }

    @Test("every sampled output gives the engine's recorded answers")
    func answers() throws {
        var checked: [String: Int] = [:]
        for fixture in try GoldenFixtures.cases("engine-outputs.json") {
            let engine = try #require(fixture["engine"] as? String), family = try #require(fixture["family"] as? String)
            let output = try #require(fixture["output"] as? String)
            let request = try JSONReader.parseValue(Array(try #require(fixture["request"] as? String).utf8))
            let syntax = ToolCallSyntax.of(try #require(ModelFamily(rawValue: family)))
            let parser = try EngineOutputParsers.parser(engine: engine, syntax: syntax)
            let answers = try #require(fixture["answers"] as? [String: [String: Any]])
            for (setup, answer) in answers {
                var variants: [(Bool, [String: Any])] = []
                if let plain = answer["non_streaming"] as? [String: Any] { variants.append((false, plain)) }
                if let streamed = answer["streaming"] as? [String: Any] { variants.append((true, streamed)) }
                if let plain = answer["non_stream"] as? [String: Any] { variants.append((false, plain)) }
                for (streaming, expected) in variants {
                    var context = EngineResponseContext(
                        request: request, reasoningParser: engine == "sglang" || setup == "tool+reasoning",
                        finishReason: Self.string(fixture["finish_reason"]) ?? "stop")
                    context.streaming = streaming
                    if engine == "sglang" { context.historyToolCalls = Int(setup.split(separator: "_").last ?? "") ?? 0 }
                    let response = try parser.response(to: output, context)
                    let label = "\(engine) \(family) \(setup)\(streaming ? " streamed" : ""): \(output.debugDescription.prefix(200))"
                    #expect(response.content == Self.string(expected["content"]), "\(label)")
                    #expect(response.reasoning == Self.string(expected["reasoning"] ?? expected["reasoning_content"]), "\(label)")
                    #expect(Self.calls(of: response) == Self.calls(expected["tool_calls"]), "\(label)")
                    if engine == "sglang" {
                        #expect(response.finishReason == Self.string(expected["finish_reason"]), "\(label)")
                        #expect(response.requestError == Self.string(answer["request_error"]), "\(label)")
                    }
                    checked["\(engine) \(family)", default: 0] += 1
                }
            }
        }
        #expect(checked["vllm k2", default: 0] >= 100 && checked["vllm k3", default: 0] >= 80 && checked["sglang k2", default: 0] >= 60, "\(checked)")
    }
}
