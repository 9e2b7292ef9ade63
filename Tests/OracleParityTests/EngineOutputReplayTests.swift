import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import TestSupport
import Testing

/// The engines' output parsers against what they returned themselves: every recorded raw
/// output of `../shared/engines/{vllm-0.33.0,sglang-0.5.23}/*-tool-parser.jsonl` must give the
/// engine's non-streaming answer, field for field.
enum EngineOutputReplay {
    struct Outcome {
        var identical = 0
        var total = 0
        var failures: [String] = []
    }

    static func records(_ file: String) throws -> [JSONValue] {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONReader.parse(Array($0.utf8)) }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case let .string(text)? = value { text } else { nil }
    }

    static func calls(_ value: JSONValue?) -> [[String?]]? {
        guard case let .array(calls)? = value else { return nil }
        return calls.map { call in
            var fields = [string(call["id"]), string(call["name"]), string(call["arguments"])]
            if case let .int(index)? = call["index"] { fields.append(String(index)) }
            return fields
        }
    }

    static func fields(of response: EngineResponse) -> [String?] {
        [response.content, response.reasoning, response.finishReason, response.requestError]
    }

    static func calls(of response: EngineResponse) -> [[String?]]? {
        response.toolCalls.map { calls in
            calls.map { call in [call.id, call.name, call.arguments] + (call.index.map { [String($0)] } ?? []) }
        }
    }

    /// Replays one vLLM parser file in both server setups.
    static func vllm(_ file: String, parser: any EngineOutputParser) throws -> Outcome {
        var outcome = Outcome()
        for record in try records(file) {
            guard let output = string(record["output"]), let request = record["request"], case let .object(setups)? = record["vllm"] else {
                throw OracleFailure(message: "unexpected record shape in \(file)")
            }
            for (setup, answers) in setups {
                for streaming in [false, true] {
                    guard let answer = answers[streaming ? "streaming" : "non_streaming"] else { continue }
                    outcome.total += 1
                    var context = EngineResponseContext(request: Value(json: request), reasoningParser: setup == "tool+reasoning")
                    context.streaming = streaming
                    let expected: [String?] = [string(answer["content"]), string(answer["reasoning"]), nil, nil]
                    let expectedCalls = calls(answer["tool_calls"])
                    do {
                        let response = try parser.response(to: output, context)
                        let toolsCalled: Bool = if case let .bool(flag)? = answer["tools_called"] { flag } else { !(response.toolCalls ?? []).isEmpty }
                        if fields(of: response) == expected, calls(of: response) == expectedCalls,
                            toolsCalled == !(response.toolCalls ?? []).isEmpty
                        {
                            outcome.identical += 1
                        } else {
                            outcome.failures.append(
                                "\(setup)\(streaming ? " streamed" : ""): \(output.debugDescription.prefix(300))\nexpected \(expected) \(String(describing: expectedCalls))\nkimi-tok \(fields(of: response)) \(String(describing: calls(of: response)))"
                            )
                        }
                    } catch {
                        outcome.failures.append("\(setup): kimi-tok refused (\(error)) \(output.debugDescription.prefix(200))")
                    }
                }
            }
        }
        return outcome
    }

    /// Replays SGLang's parser file for both history counts.
    static func sglang() throws -> Outcome {
        var outcome = Outcome()
        let parser = SGLangKimiK2OutputParser()
        for record in try records("sglang-0.5.23/kimi-k2-tool-parser.jsonl") {
            guard let input = record["input"], let text = string(input["text"]), case let .object(histories)? = record["sglang"] else {
                throw OracleFailure(message: "unexpected record shape in the SGLang parser file")
            }
            for (history, answers) in histories {
                guard let answer = answers["non_stream"], let count = Int(history.split(separator: "_").last ?? "") else { continue }
                outcome.total += 1
                var context = EngineResponseContext(
                    request: Value(json: input), reasoningParser: true, finishReason: string(input["finish_reason"]) ?? "stop")
                context.historyToolCalls = count
                let expected = [
                    string(answer["content"]), string(answer["reasoning_content"]), string(answer["finish_reason"]), string(answers["request_error"]),
                ]
                let expectedCalls = calls(answer["tool_calls"])
                do {
                    let response = try parser.response(to: text, context)
                    if fields(of: response) == expected, calls(of: response) == expectedCalls {
                        outcome.identical += 1
                    } else {
                        outcome.failures.append(
                            "\(history): \(text.debugDescription.prefix(300))\nexpected \(expected) \(String(describing: expectedCalls))\nkimi-tok \(fields(of: response)) \(String(describing: calls(of: response)))"
                        )
                    }
                } catch {
                    outcome.failures.append("\(history): kimi-tok refused (\(error)) \(text.debugDescription.prefix(200))")
                }
            }
        }
        return outcome
    }
}

extension LiveInspectorParity {
    @Test(
        "vLLM's kimi_k2 and kimi_k3 parsers: every recorded output, with and without the reasoning parser, streamed or not, gives vLLM's answer",
        arguments: [("vllm-0.33.0/kimi-k2-tool-parser.jsonl", ModelFamily.k2, 2_000), ("vllm-0.33.0/kimi-k3-tool-parser.jsonl", .k3, 1_000)])
    func vllmOutputParsersReplay(_ file: String, _ family: ModelFamily, _ answers: Int) throws {
        let parser = try EngineOutputParsers.parser(engine: "vllm", syntax: .of(family))
        let outcome = try EngineOutputReplay.vllm(file, parser: parser)
        print("\(file): \(outcome.identical) identical answers of \(outcome.total)")
        for failure in outcome.failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.failures.isEmpty && outcome.total == answers, "\(outcome.failures.count) differ of \(outcome.total)")
    }

    @Test("SGLang's kimi_k2 parser: every recorded output, with 0 and 2 tool calls in the history, gives SGLang's answer")
    func sglangOutputParserReplays() throws {
        let outcome = try EngineOutputReplay.sglang()
        print("sglang parser: \(outcome.identical) identical answers of \(outcome.total)")
        for failure in outcome.failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.failures.isEmpty && outcome.total == 1_000, "\(outcome.failures.count) differ of \(outcome.total)")
    }
}

extension LiveInspectorParity {
    @Test("llama.cpp's Kimi K2 and generic parsers: every recorded output, both templates, gives llama.cpp's answer or its error")
    func llamaCppOutputParserReplays() throws {
        let community = try Template(
            source: String(contentsOf: TestEnvironment.sharedDirectory.appendingPathComponent("templates/kimi-k2-llamacpp.jinja"), encoding: .utf8),
            name: "kimi-k2-llamacpp.jinja")
        let parser = LlamaCppKimiK2OutputParser()
        var identical = 0, total = 0
        var failures: [String] = []
        for record in try EngineOutputReplay.records("llama.cpp/kimi-k2-tool-parser.jsonl") {
            guard let output = EngineOutputReplay.string(record["output"]), let request = record["request"], case let .object(runs)? = record["llamacpp"]
            else { throw OracleFailure(message: "unexpected record shape") }
            for (run, answers) in runs {
                guard let answer = answers["non_streaming"] else { continue }
                total += 1
                var context = EngineResponseContext(request: Value(json: request), reasoningParser: true)
                context.template = run == "embedded" ? nil : community
                let response = try parser.response(to: output, context)
                let expected = [
                    EngineOutputReplay.string(answer["content"]), EngineOutputReplay.string(answer["reasoning_content"]),
                    EngineOutputReplay.string(answer["error"]),
                ]
                let ours = [response.content, response.reasoning, response.parseError]
                let expectedCalls = EngineOutputReplay.calls(answer["tool_calls"])
                if ours == expected, EngineOutputReplay.calls(of: response) == expectedCalls {
                    identical += 1
                } else if failures.count < 5 {
                    failures.append(
                        "\(run): \(output.debugDescription.prefix(300))\nexpected \(expected) \(String(describing: expectedCalls))\nkimi-tok \(ours) \(String(describing: EngineOutputReplay.calls(of: response)))"
                    )
                }
            }
        }
        print("llama.cpp parser: \(identical) identical answers of \(total)")
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(identical == total && total == 832)
    }
}
