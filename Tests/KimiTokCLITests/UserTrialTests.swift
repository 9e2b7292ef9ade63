import Foundation
import KimiChatTemplate
import KimiIO
import TestSupport
import Testing

/// Regressions from the user trial (issue 25) through the real CLI; each failed on the code
/// before its fix.
@Suite("User-trial regressions: the CLI", .serialized, .needsVocabulary)
struct UserTrialTests {
    let errors = ErrorExitTests()
    let inspector = InspectorCommandTests()

    /// Bug 1: a template that would build a huge value exits 2 at once.
    @Test func hugeTemplateValuesExitTwo() throws {
        let messages = try inspector.write(#"[{"role": "user", "content": "hi"}]"#)
        let template = try inspector.write("{{ [1] * 10**10 }}", name: "t.jinja")
        errors.expectFailure(try CLI.run(["render", "--messages", messages, "--template", template]), mentioning: ["limit exceeded"])
    }

    /// Bug 3: parse-tool-calls --ids reads the output IDs of every choice, not the prompt.
    @Test func parseToolCallsReadsEveryChoicesOutput() throws {
        let call = "<|tool_calls_section_begin|><|tool_call_begin|>functions.f:0<|tool_call_argument_begin|>{}<|tool_call_end|><|tool_calls_section_end|>"
        let ids = try #require(try inspector.json(try CLI.run(["encode", "--json", call]))["ids"] as? [Int])
        let prompt = try #require(try inspector.json(try CLI.run(["encode", "--json", "<|im_user|>user<|im_middle|>hi<|im_end|>"]))["ids"] as? [Int])
        let response = try inspector.write(#"{"prompt_token_ids": \#(prompt), "choices": [{"token_ids": \#(ids)}, {"token_ids": [19180]}]}"#)
        let result = try CLI.run(["parse-tool-calls", "--ids", "--file", response, "--json"])
        let choices = try #require(try inspector.json(result)["choices"] as? [[String: Any]])
        #expect(choices.count == 2)
        #expect((choices[0]["summary"] as? [String: Any])?["calls"] as? Int == 1)
        let one = try CLI.run(["parse-tool-calls", "--ids", "--choice", "0", "--file", response])
        #expect(one.status == 0 && one.output.contains("1 calls: 1 valid"), "\(one.output)\(one.stderr)")
        errors.expectFailure(try CLI.run(["parse-tool-calls", "--ids", "--choice", "5", "--file", response]), mentioning: ["2 choices"])
        // decode must be told which part it wants, and says so.
        errors.expectFailure(try CLI.run(["decode", "--file", response]), mentioning: ["--part"])
        let output = try CLI.run(["decode", "--file", response, "--part", "output", "--choice", "1"])
        #expect(output.status == 0 && output.output == "Hello")
        let promptText = try CLI.run(["decode", "--file", response, "--part", "prompt"])
        #expect(promptText.output == "<|im_user|>user<|im_middle|>hi<|im_end|>")
    }

    /// Bug 5: --engine-url sends --variable values as chat_template_kwargs.
    @Test func engineURLSendsTemplateVariables() throws {
        let messages = try inspector.write(#"[{"role": "user", "content": "hi"}]"#)
        let engine = try inspector.fakeEngine(answering: [1, 2, 3])
        _ = try CLI.run([
            "compare", "--engine-url", "http://127.0.0.1:\(engine.port)", "--messages", messages, "--variable", "thinking=false",
        ])
        let sent = try #require(inspector.lastRequest(engine))
        #expect((sent["chat_template_kwargs"] as? [String: Any])?["thinking"] as? Bool == false)
    }

    /// Bug 13: a server that never answers times out when --timeout says, without spinning.
    @Test func engineURLTimesOutWithoutSpinning() throws {
        let silent = """
            import socket, sys, os, time
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5)
            open(os.path.join(sys.argv[1], 'port'), 'w').write(str(s.getsockname()[1]))
            conns = []
            while True:
                c, _ = s.accept(); conns.append(c)
            """
        let server = try LoopbackServer(script: silent, directory: try CLI.temporaryDirectory())
        let messages = try inspector.write(#"[{"role": "user", "content": "hi"}]"#)
        let start = Date()
        let result = try CLI.run(["compare", "--engine-url", "http://127.0.0.1:\(server.port)", "--timeout", "2", "--messages", messages])
        let elapsed = Date().timeIntervalSince(start)
        errors.expectFailure(result, mentioning: ["timed out after 2 s", "waiting for the response"])
        #expect(elapsed < 10)
        // The process's own CPU time while waiting (user + system, from /usr/bin/time's view) is
        // checked by the client's design: poll with a deadline; here the wall time bounds it.
    }

    /// Bug 7: text a user wrote is not a content-list leak.
    @Test func quotedPartsInUserTextAreNotALeak() throws {
        let messages = try inspector.write(#"[{"role": "user", "content": "What does [{'type': 'text', 'text': 'hi'}] mean?"}]"#)
        let result = try CLI.run(["check", "--messages", messages])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("content-list-leak"))
    }

    /// Bug 9: text that starts with "-" is explained, not taken for flags or the help.
    @Test func textStartingWithADash() throws {
        errors.expectFailure(try CLI.run(["encode", "-hi there"]), mentioning: ["put -- before it"])
        errors.expectFailure(try CLI.run(["encode", "-x"]), mentioning: ["--"])
        let quoted = try CLI.run(["encode", "--", "-hi there"])
        #expect(quoted.status == 0 && !quoted.output.isEmpty)
    }

    /// Bug 10: standard input named twice.
    @Test func standardInputNamedTwice() throws {
        errors.expectFailure(try CLI.run(["render", "--messages", "-", "--tools", "-"]), mentioning: ["--messages and --tools", "standard input"])
        errors.expectFailure(try CLI.run(["compare", "--engine", "-", "--ids-file", "-"]), mentioning: ["standard input"])
    }

    /// Bug 12: bench arguments are checked.
    @Test(arguments: [["--seconds", "inf"], ["--seconds", "1e400"], ["--seconds", "nan"], ["--seconds", "-1"], ["--runs", "-3"], ["--runs", "0"]])
    func benchArguments(_ arguments: [String]) throws {
        let file = try inspector.write("hello", name: "b.txt")
        errors.expectFailure(try CLI.run(["bench", "--file", file] + arguments), mentioning: [arguments[0]])
    }

    @Test func negativeThreads() throws {
        errors.expectFailure(try CLI.run(["encode", "--jsonl", "-", "--threads", "-2"]), mentioning: ["--threads"])
    }

    /// Bug 14: the fix for a marker this vocabulary lacks never suggests that marker.
    @Test func unknownMarkerFixNamesAnotherMarker() throws {
        let result = try CLI.run([
            "check", "--prompt-file", try inspector.write("<|im_user|>user<|im_middle|><|media_begin|>x<|im_end|>", name: "p.txt"), "--json",
        ])
        let findings = try #require(try inspector.json(result)["findings"] as? [[String: Any]])
        let unknown = try #require(findings.first { $0["code"] as? String == "unknown-special-marker" })
        let fix = try #require(unknown["fix"] as? String)
        #expect(fix.contains("Kimi K2.5/K2.6"))
        #expect(!fix.contains("(e.g. <|media_begin|>"))
    }

    /// Bug 15: a decimal too large for an ID.
    @Test func hugeIDIsOutOfRange() throws {
        errors.expectFailure(try CLI.run(["decode", "99999999999999999999999"]), mentioning: ["out of range"])
    }

    /// Bug 16: a tiktoken.model cut short says so.
    @Test func truncatedVocabularySaysTruncated() throws {
        let model = try errors.brokenModel { lines in
            lines = Array(lines.prefix(813))
            lines[812] = lines[812].dropLast(1)
        }
        let path = URL(fileURLWithPath: model).appendingPathComponent("tiktoken.model")
        var data = try Data(contentsOf: path)
        if data.last == 0x0A { data.removeLast() }
        try data.write(to: path)
        errors.expectFailure(try CLI.run(["encode", "--model-dir", model, "x"]), mentioning: ["truncated"])
    }

    /// Bug 17: a broken tokenizer_config.json names line and column.
    @Test func brokenTokenizerConfigNamesLineAndColumn() throws {
        let directory = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.sharedVocabulary + "/tiktoken.model", toPath: directory.appendingPathComponent("tiktoken.model").path)
        try Data("{\n  \"added_tokens_decoder\": {,\n}".utf8).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        errors.expectFailure(try CLI.run(["encode", "--model-dir", directory.path, "x"]), mentioning: ["tokenizer_config.json", "line 2, column"])
        try FileManager.default.removeItem(at: directory.appendingPathComponent("tokenizer_config.json"))
        errors.expectFailure(try CLI.run(["encode", "--model-dir", directory.path, "x"]), mentioning: ["tokenizer_config.json", "no such file"])
    }

    /// Gap: --version.
    @Test func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0 && result.output.split(separator: ".").count == 3)
    }

    /// Gap: a leading [BOS] is named by check and compare; IDs outside the vocabulary too.
    @Test func leadingBOSAndForeignIDs() throws {
        let messages = try inspector.write(#"[{"role": "user", "content": "hi"}]"#)
        let ids = try #require(try inspector.json(try CLI.run(["render", "--messages", messages, "--json"]))["ids"] as? [Int])
        let withBOS = try inspector.write("\([163584] + ids)")
        let check = try CLI.run(["check", "--ids-file", withBOS, "--json"])
        let codes = (try inspector.json(check)["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("leading-bos") && !codes.contains("malformed-structure"), "\(codes)")
        let compare = try CLI.run(["compare", "--engine", withBOS, "--messages", messages, "--json"])
        #expect(try inspector.json(compare)["classification"] as? String == "leading-bos")
        let foreign = try inspector.write("\(ids.dropLast() + [170000])")
        let outside = try CLI.run(["compare", "--engine", foreign, "--messages", messages, "--json"])
        #expect(try inspector.json(outside)["classification"] as? String == "id-outside-embedding")
    }
}

/// The vLLM engine profile through the CLI: render, check and compare on requests and engine
/// IDs taken from vLLM's own renders (`../shared/engines`).
@Suite("vLLM engine profile commands", .serialized, .needsVocabulary)
struct VLLMProfileCommandTests {
    let inspector = InspectorCommandTests()
    static let templates = TestEnvironment.sharedDirectory.appendingPathComponent("templates")

    /// A request whose reference render is clean, but which vLLM renders with the content-list leak.
    static let leaky =
        #"[{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": "", "tool_calls": [{"id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}, {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "21"}]"#

    @Test(.needsShared) func checkFlagsTheLeakVLLMWouldPrint() throws {
        let messages = try inspector.write(Self.leaky)
        let early = Self.templates.appendingPathComponent("kimi-k2-tokenizer-config-early.jinja").path
        let reference = try CLI.run(["check", "--messages", messages, "--template", early])
        #expect(reference.status == 0, "\(reference.output)")
        let vllm = try CLI.run(["check", "--engine", "vllm", "--messages", messages, "--template", early, "--json"])
        #expect(vllm.status == 1)
        let findings = try #require(try inspector.json(vllm)["findings"] as? [[String: Any]])
        let leak = try #require(findings.first { $0["code"] as? String == "content-list-leak" })
        #expect((leak["fix"] as? String)?.contains("--chat-template-content-format string") == true)
        let string = try CLI.run(["check", "--engine", "vllm", "--content-format", "string", "--messages", messages, "--template", early])
        #expect(string.status == 0, "\(string.output)")
        let rendered = try inspector.json(try CLI.run(["render", "--engine", "vllm", "--json", "--messages", messages, "--template", early]))
        #expect(rendered["content_format"] as? String == "openai")
    }

    /// One recorded request per kind of difference, with vLLM's IDs as the engine's.
    func recorded(template: String, where matches: ([String: Any]) -> Bool) throws -> (messages: String, engine: String)? {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/vllm-0.33.0/kimi-k2-chat.jsonl")
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                record["template"] as? String == template, let request = record["request"] as? [String: Any],
                request["add_generation_prompt"] as? Bool ?? true, matches(request),
                let auto = (record["vllm"] as? [String: Any])?["auto"] as? [String: Any], let ids = auto["ids"] as? [Int]
            else { continue }
            // The request as written (key order kept, which `tools | tojson` prints).
            guard let ordered = try JSONReader.parse(Array(line.utf8))["request"] else { continue }
            let messages = try inspector.write(try Value(json: ordered).compactJSON())
            return (messages, try inspector.write("\(ids)", name: "engine.json"))
        }
        return nil
    }

    static func arguments(_ request: [String: Any]) -> [Any?] {
        ((request["messages"] as? [[String: Any]]) ?? []).flatMap { message in
            ((message["tool_calls"] as? [[String: Any]]) ?? []).map { ($0["function"] as? [String: Any])?["arguments"] }
        }
    }

    static func isValidJSON(_ value: Any?) -> Bool {
        guard let text = value as? String, !text.isEmpty else { return false }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil
    }

    @Test(.needsShared) func compareNamesTheEngineStep() throws {
        let thinking = "kimi-k2-thinking-moonshotai-llamacpp.jinja"
        let template = Self.templates.appendingPathComponent(thinking).path
        let plainContent: ([String: Any]) -> Bool = { request in
            !((request["messages"] as? [[String: Any]]) ?? []).contains { $0["content"] is [Any] }
        }
        let reserialized = try #require(
            try recorded(template: thinking) { request in
                let arguments = Self.arguments(request)
                return plainContent(request) && !arguments.isEmpty && arguments.allSatisfy(Self.isValidJSON)
                    && arguments.contains { ($0 as? String)?.contains("  ") == true }
            })
        let first = try inspector.json(
            try CLI.run(["compare", "--engine", reserialized.engine, "--messages", reserialized.messages, "--template", template, "--json"]))
        #expect(first["classification"] as? String == "engine-arguments-reserialized")
        #expect((first["explanation"] as? String)?.contains("->") == true)
        let dropped = try #require(
            try recorded(template: thinking) { request in
                plainContent(request) && Self.arguments(request).contains { ($0 as? String).map { !$0.isEmpty && !Self.isValidJSON($0) } ?? false }
            })
        let second = try inspector.json(try CLI.run(["compare", "--engine", dropped.engine, "--messages", dropped.messages, "--template", template, "--json"]))
        #expect(second["classification"] as? String == "engine-arguments-dropped")
        let early = "kimi-k2-tokenizer-config-early.jinja"
        let leak = try #require(
            try recorded(template: early) { request in
                ((request["messages"] as? [[String: Any]]) ?? []).contains {
                    $0["role"] as? String == "assistant" && $0["content"] as? String == "" && $0["tool_calls"] != nil
                }
            })
        let third = try CLI.run([
            "compare", "--engine", leak.engine, "--messages", leak.messages, "--template", Self.templates.appendingPathComponent(early).path,
            "--engine-profile", "vllm", "--json",
        ])
        let object = try inspector.json(third)
        #expect((object["reference"] as? [String: Any])?["classification"] as? String == "engine-content-format")
        #expect((object["profile"] as? [String: Any])?["equal"] as? Bool == true)
        #expect(object["engine_profile"] as? String == "vllm")
    }
}

/// Kimi K3 through the CLI: render prints the segments, and encode --segments encodes them.
@Suite("Kimi K3 commands", .needsVocabulary)
struct K3CommandTests {
    let inspector = InspectorCommandTests()
    static let model = ServiceProcess.sharedModel("kimi-k3")

    @Test func renderPrintsSegmentsAndEncodeSegmentsGivesTheSameIDs() throws {
        let messages = try inspector.write(#"[{"role": "user", "content": "hi <|open|> there"}]"#)
        let rendered = try inspector.json(try CLI.run(["render", "--messages", messages, "--model-dir", Self.model, "--json"]))
        #expect(rendered["family"] as? String == "k3")
        let segments = try #require(rendered["segments"] as? [[String: Any]])
        #expect(segments.first?["text"] as? String == "<|open|>" && segments.first?["special"] as? Bool == true)
        #expect(segments.contains { $0["text"] as? String == "hi <|open|> there" && $0["special"] as? Bool == false })
        let ids = try #require(rendered["ids"] as? [Int])
        let open = try #require(ids.first)
        #expect(
            ids.filter { $0 == open }.count == segments.filter { $0["text"] as? String == "<|open|>" }.count,
            "the user's <|open|> stays text")
        let pairs = segments.map { "[\(JSONText.quote($0["text"] as? String ?? "")), \($0["special"] as? Bool == true)]" }
        let file = try inspector.write("[" + pairs.joined(separator: ", ") + "]", name: "segments.json")
        let encoded = try inspector.json(try CLI.run(["encode", "--segments", file, "--json", "--model-dir", Self.model]))
        #expect(encoded["ids"] as? [Int] == ids)
        let table = try CLI.run(["render", "--messages", messages, "--model-dir", Self.model, "--tokens"])
        #expect(table.output.contains("── segment 0 (control)"))
        let refused = try CLI.run(["render", "--messages", messages, "--model-dir", Self.model, "--variable", "thinking_effort=\"medium\""])
        #expect(refused.status == 2 && refused.stderr.contains("thinking_effort"))
    }
}

/// JSON quoting for building test inputs.
enum JSONText {
    static func quote(_ s: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: [s], options: [])) ?? Data("[\"\"]".utf8), as: UTF8.self)
            .dropFirst().dropLast().description
    }
}

/// Gaps of the user trial (issue 25) closed: the response side of tool calls, the declaration
/// checked against the tools.
@Suite("User-trial gaps", .serialized, .needsVocabulary)
struct UserTrialGapTests {
    let inspector = InspectorCommandTests()
    static let tools =
        #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]"#

    @Test func chatCompletionResponsesAndStreams() throws {
        let tools = try inspector.write(Self.tools, name: "tools.json")
        let response = try inspector.write(
            #"{"choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}, {"id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": 5}"}}]}}]}"#
        )
        let result = try CLI.run(["parse-tool-calls", "--file", response, "--tools", tools, "--json"])
        #expect(result.status == 1)
        let calls = try #require(try inspector.json(result)["calls"] as? [[String: Any]])
        #expect(calls.count == 2 && calls[0]["valid"] as? Bool == true)
        let codes = (calls[1]["problems"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(Set(codes) == ["duplicate-id", "schema-violation"], "\(codes)")
        let stream = try inspector.write(
            """
            data: {"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "think"}}]}

            data: {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"ci"}}]}}]}

            data: {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "ty\\": \\"Rome\\"}"}}]}}]}

            data: [DONE]

            """)
        let streamed = try CLI.run(["parse-tool-calls", "--file", stream, "--tools", tools, "--json"])
        #expect(streamed.status == 0, "\(streamed.output)")
        let object = try inspector.json(streamed)
        #expect((object["calls"] as? [[String: Any]])?.first?["arguments"] as? String == #"{"city": "Rome"}"#)
        #expect(object["reasoning"] as? String == "think")
    }

    @Test func strippedMarkersAreNamed() throws {
        let stripped = try inspector.write(#"Let me check.functions.get_weather:0{"city": "Paris"}"#, name: "out.txt")
        let result = try CLI.run(["parse-tool-calls", "--file", stripped])
        #expect(result.status == 1)
        #expect(result.output.contains("skip_special_tokens=True"))
    }

    @Test func theDeclarationIsCheckedAgainstTheTools() throws {
        let tools = try inspector.write(Self.tools, name: "tools.json")
        let messages = try inspector.write(#"{"messages": [{"role": "user", "content": "hi"}], "tools": \#(Self.tools)}"#)
        let rendered = try inspector.json(try CLI.run(["render", "--messages", messages, "--json"]))
        let prompt = try #require(rendered["prompt"] as? String)
        let good = try inspector.write(prompt, name: "good.txt")
        #expect(try CLI.run(["check", "--prompt-file", good, "--tools", tools]).status == 0)
        let other = try inspector.write(prompt.replacingOccurrences(of: "\"city\"", with: "\"town\""), name: "bad.txt")
        let result = try CLI.run(["check", "--prompt-file", other, "--tools", tools])
        #expect(result.status == 1 && result.output.contains("tool-declaration-mismatch"), "\(result.output)")
    }
}
