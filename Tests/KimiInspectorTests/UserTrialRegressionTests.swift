import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import Testing

/// Regressions from the user trial (issue 25) in the inspector; each failed on the code
/// before its fix.
@Suite("User-trial regressions: inspector")
struct InspectorRegressionTests {
    /// Bug 2: two turns that both use `call_0`: each result follows its own call.
    @Test func resultsFollowTheirOwnCall() throws {
        let history = """
            [{"role": "user", "content": "a"},
             {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "search", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "call_0", "content": "r1"},
             {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "fetch", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "call_0", "content": "r2"},
             {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "search", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "nowhere", "content": "r3"}]
            """
        let result = try ToolCallIDNormalizer.normalize(Array(history.utf8))
        let request = try ChatRequest.read(messagesJSON: result.json)
        func field(_ index: Int, _ key: String) -> String? {
            guard case let .dict(box) = request.messages[index] else { return nil }
            if key == "call", case let .list(calls)? = box[.string("tool_calls")], case let .dict(call)? = calls.items.first,
                case let .string(id)? = call[.string("id")]
            {
                return id
            }
            if case let .string(text)? = box[.string(key)] { return text }
            return nil
        }
        #expect(field(1, "call") == "functions.search:0")
        #expect(field(2, "tool_call_id") == "functions.search:0")
        #expect(field(3, "call") == "functions.fetch:1")
        #expect(field(4, "tool_call_id") == "functions.fetch:1")
        #expect(field(5, "call") == "functions.search:2", "a call without an id gets one")
        #expect(field(6, "tool_call_id") == "nowhere")
        #expect(result.problems.count == 1 && result.problems[0].contains("nowhere"))
        #expect(try ToolCallIDNormalizer.normalize(result.json).json == result.json, "idempotent")
    }

    /// Bugs 3 and 8: prompt and output IDs are told apart; `ids` is read; null falls through.
    @Test func promptAndOutputIDs() throws {
        let vllm = Array(#"{"prompt_token_ids": [1, 2], "choices": [{"token_ids": [3, 4]}, {"token_ids": [5]}]}"#.utf8)
        #expect(try EngineTokenIDs.parse(vllm) == [1, 2])
        #expect(try EngineTokenIDs.outputs(vllm) == [[3, 4], [5]])
        #expect(throws: KimiError.self) { try EngineTokenIDs.ids(vllm, part: nil) }
        let nullPrompt = Array(#"{"prompt_token_ids": null, "choices": [{"prompt_token_ids": [7], "token_ids": [8]}]}"#.utf8)
        #expect(try EngineTokenIDs.parse(nullPrompt) == [7])
        #expect(try EngineTokenIDs.parse(Array(#"{"family": "k2", "ids": [9, 10], "prompt": "x"}"#.utf8)) == [9, 10])
        let sglang = Array(#"{"text": "x", "output_ids": [11, 12], "meta_info": {"input_token_logprobs": [[null, 13, null]]}}"#.utf8)
        #expect(try EngineTokenIDs.outputs(sglang) == [[11, 12]])
        #expect(try EngineTokenIDs.parse(sglang) == [13])
        let logprobs = Array(#"{"meta_info": {"output_token_logprobs": [[-0.1, 14, "a"], [-0.2, 15, "b"]]}}"#.utf8)
        #expect(try EngineTokenIDs.outputs(logprobs) == [[14, 15]])
        let batch = Array(#"[{"output_ids": [1]}, {"output_ids": [2]}]"#.utf8)
        #expect(try EngineTokenIDs.outputs(batch) == [[1], [2]])
        do {
            _ = try EngineTokenIDs.parse(Array(#"{"prompt_token_ids": "x"}"#.utf8))
            Issue.record("parsed")
        } catch {
            #expect("\(error)".contains("prompt_token_ids"))
        }
    }

    /// Bug 15: a number too large is out of range, not "not an integer".
    @Test func hugeIDsAreOutOfRange() {
        do {
            _ = try EngineTokenIDs.parse(Array("99999999999999999999999".utf8))
            Issue.record("parsed")
        } catch {
            #expect("\(error)".contains("out of range"), "\(error)")
        }
        do {
            _ = try EngineTokenIDs.parse(Array("[99999999999999999999999]".utf8))
            Issue.record("parsed")
        } catch {
            #expect("\(error)".contains("out of range"), "\(error)")
        }
    }

    /// Bug 6: a call without an argument marker is one complete call; two begins do not glue.
    @Test func malformedSectionsAreReportedOnce() {
        let noArguments = "<|tool_calls_section_begin|><|tool_call_begin|>functions.f:0<|tool_call_end|><|tool_calls_section_end|>"
        let calls = ToolCallStreamParser.parse(noArguments).filter { if case .call = $0 { true } else { false } }
        #expect(calls == [.call(id: "functions.f:0", arguments: "", complete: true)])
        let report = ToolCallReport(output: noArguments, tools: nil)
        #expect(report.summary.calls == 1 && report.summary.truncated == 0)
        let twoBegins =
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.a:0<|tool_call_begin|>functions.b:1<|tool_call_argument_begin|>{}<|tool_call_end|><|tool_calls_section_end|>"
        let events = ToolCallStreamParser.parse(twoBegins).compactMap { event -> String? in
            if case let .call(id, _, complete) = event { return "\(id) \(complete)" }
            return nil
        }
        #expect(events == ["functions.a:0 false", "functions.b:1 true"])
    }
}
