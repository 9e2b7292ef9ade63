import Foundation
import TestSupport
import Testing

@Suite("check, compare, parse-tool-calls and normalize-ids commands", .serialized, .needsVocabulary)
struct InspectorCommandTests {
    static let templates = TestEnvironment.sharedDirectory.appendingPathComponent("templates")

    func write(_ text: String, name: String = "input.json") throws -> String {
        let url = try CLI.temporaryDirectory().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func json(_ result: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.output) \(result.stderr)")
    }

    static let leaky = #"""
        {"messages": [{"role": "user", "content": "Weather?"},
          {"role": "assistant", "content": [{"type": "text", "text": ""}], "tool_calls": [{"id": "search:2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
          {"role": "tool", "tool_call_id": "search:2", "content": "21"}],
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}
        """#

    @Test(.needsShared) func checkExitCodesAndJSON() throws {
        let messages = try write(Self.leaky)
        let old = Self.templates.appendingPathComponent("kimi-k2-tokenizer-config-early.jinja").path
        let result = try CLI.run(["check", "--messages", messages, "--template", old, "--json"])
        #expect(result.status == 1)
        let object = try json(result)
        let codes = (object["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("content-list-leak") && codes.contains("nonstandard-tool-call-id"))
        let finding = try #require((object["findings"] as? [[String: Any]])?.first { $0["code"] as? String == "content-list-leak" })
        #expect(finding["severity"] as? String == "error" && finding["token_index"] is Int && finding["character_offset"] is Int && finding["fix"] is String)
    }

    @Test func checkExitCodesOfIDsAndPrompts() throws {
        let clean = try CLI.run(["check", "--messages", try write(#"[{"role": "user", "content": "hi"}]"#)])
        #expect(clean.status == 0 && clean.output.contains("no findings"))
        let ids = try CLI.run(["check", "--ids-file", try write("{\"tokens\": [163587, 2482, 163601, 9663, 163586]}")])
        #expect(ids.status == 1 && ids.output.contains("error: missing-generation-prompt at token 5"))
        let complete = try CLI.run(["check", "--no-generation-prompt", "--ids-file", try write("[163587, 2482, 163601, 9663, 163586]")])
        #expect(complete.status == 0, "\(complete.output)")
        let prompt = try CLI.run([
            "check", "--prompt-file", try write("<|im_user|>user<|im_middle|>hi<|im_end|><|im_assistant|>assistant<|im_middle|>", name: "p.txt"),
        ])
        #expect(prompt.status == 0)
        let bad = try CLI.run(["check", "--ids-file", try write("[1, \"x\"]")])
        #expect(bad.status == 2 && bad.stderr.contains("position 1"))
        let none = try CLI.run(["check"])
        #expect(none.status == 2 && none.stderr.contains("exactly one of"))
    }

    @Test func compareFilesAndExitCodes() throws {
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let reference = try json(try CLI.run(["render", "--messages", messages, "--json"]))
        let ids = try #require(reference["ids"] as? [Int])
        let same = try CLI.run(["compare", "--engine", try write("\(ids)"), "--messages", messages])
        #expect(same.status == 0 && same.output.hasPrefix("equal"))
        let engine = try write("{\"prompt_token_ids\": \(Array(ids.dropLast(3)))}")
        let different = try CLI.run(["compare", "--engine", engine, "--messages", messages, "--json"])
        #expect(different.status == 1)
        let object = try json(different)
        #expect(object["equal"] as? Bool == false)
        #expect(object["first_divergence"] as? Int == ids.count - 3)
        #expect(object["classification"] as? String == "missing-generation-prompt")
        #expect((object["hunks"] as? [[String: Any]])?.count == 1)
        let text = try CLI.run(["compare", "--engine", engine, "--messages", messages])
        #expect(text.output.contains("- 163588 69702 163601  <|im_assistant|>assistant<|im_middle|>"))
        let missing = try CLI.run(["compare", "--messages", messages])
        #expect(missing.status == 2)
    }

    /// A fake engine: POST /tokenize answers vLLM's shape with `answer.json`, and records the
    /// request body in `request.json`.
    static let fakeEngine = """
        import http.server, sys, os
        root = sys.argv[1]
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                open(os.path.join(root, 'request.json'), 'wb').write(body)
                if self.path != '/tokenize':
                    self.send_response(404); self.end_headers(); return
                answer = open(os.path.join(root, 'answer.json'), 'rb').read()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
        server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
        open(os.path.join(root, 'port'), 'w').write(str(server.server_address[1]))
        server.serve_forever()
        """

    func fakeEngine(answering ids: [Int]) throws -> LoopbackServer {
        let directory = try CLI.temporaryDirectory()
        try Data("{\"count\": \(ids.count), \"max_model_len\": 262144, \"tokens\": \(ids)}".utf8)
            .write(to: directory.appendingPathComponent("answer.json"))
        return try LoopbackServer(script: Self.fakeEngine, directory: directory)
    }

    func lastRequest(_ engine: LoopbackServer) -> [String: Any]? {
        (try? Data(contentsOf: engine.directory.appendingPathComponent("request.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    @Test func compareFetchesFromAnEngineURL() throws {
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let ids = try #require(try json(try CLI.run(["render", "--messages", messages, "--json"]))["ids"] as? [Int])
        let engine = try fakeEngine(answering: Array(ids.dropLast(3)))
        let result = try CLI.run([
            "compare", "--engine-url", "http://127.0.0.1:\(engine.port)", "--engine-model", "kimi-k2",
            "--messages", messages, "--json",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try json(result)["classification"] as? String == "missing-generation-prompt")
        let sent = try #require(lastRequest(engine))
        #expect(sent["model"] as? String == "kimi-k2")
        #expect(sent["add_generation_prompt"] as? Bool == true)
        #expect((sent["messages"] as? [[String: Any]])?.first?["content"] as? String == "hi")
        let prompt = try CLI.run([
            "compare", "--engine-url", "http://127.0.0.1:\(engine.port)/", "--prompt-file",
            try write("hello", name: "p.txt"),
        ])
        #expect(prompt.status == 1)
        #expect(lastRequest(engine)?["prompt"] as? String == "hello")
        let unreachable = try CLI.run(["compare", "--engine-url", "http://127.0.0.1:9", "--messages", messages])
        #expect(unreachable.status == 2 && unreachable.stderr.contains("cannot reach"))
    }

    @Test func parseToolCallsTextIDsAndExitCodes() throws {
        let tools = try write(
            #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]"#
        )
        let good =
            "Sure.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_calls_section_end|>"
        let ok = try CLI.run(["parse-tool-calls", "--tools", tools, "--json"], stdin: Data(good.utf8))
        #expect(ok.status == 0)
        let object = try json(ok)
        #expect((object["summary"] as? [String: Any])?["valid"] as? Int == 1)
        #expect(object["content"] as? String == "Sure.")
        let ids = try CLI.run(["encode", "--json", good])
        let idList = try #require(try json(ids)["ids"] as? [Int])
        let fromIDs = try CLI.run(["parse-tool-calls", "--ids", "--tools", tools, "--file", try write("\(idList)")])
        #expect(fromIDs.status == 0 && fromIDs.output.contains("call 0: functions.get_weather:0 ok"))
        let hallucinated = good.replacingOccurrences(of: "get_weather", with: "book_flight")
        let bad = try CLI.run(["parse-tool-calls", "--tools", tools], stdin: Data(hallucinated.utf8))
        #expect(bad.status == 1 && bad.output.contains("undeclared-tool"))
        let truncated = try CLI.run(["parse-tool-calls"], stdin: Data(String(good.prefix(90)).utf8))
        #expect(truncated.status == 1 && truncated.output.contains("truncated"))
    }

    @Test func parseToolCallsWithAnEngineGivesItsAnswerAndWhatItLost() throws {
        let tools =
            #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]"#
        let history =
            #"{"role": "assistant", "content": "", "tool_calls": [{"id": "functions.get_weather:0", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "21"}"#
        let request = try write(#"{"messages": [{"role": "user", "content": "go"}, \#(history)], "tools": \#(tools)}"#, name: "request.json")
        let output = try write(
            "Sure.<|tool_calls_section_begin|><|tool_call_begin|>call_abc<|tool_call_argument_begin|>{\"city\": \"Oslo\"}<|tool_call_end|><|tool_call_begin|>functions.get_weather:1<|tool_call_argument_begin|>{\"city\": \"a}<|tool_call_end|>b\"}<|tool_call_end|><|tool_calls_section_end|>",
            name: "output.txt")
        // SGLang: call_abc dropped, the second call's ID numbered after the history, the text before taken as reasoning; its
        // arguments end at the first end marker, as kimi-tok reads them.
        let sglang = try CLI.run(["parse-tool-calls", "--file", output, "--engine", "sglang", "--reasoning-parser", "--request", request, "--json"])
        #expect(sglang.status == 1)
        let answer = try json(sglang)
        let response = try #require(answer["engine_response"] as? [String: Any])
        #expect(response["reasoning"] as? String == "Sure.")
        #expect(response["finish_reason"] as? String == "tool_calls")
        let calls = try #require(response["tool_calls"] as? [[String: Any]])
        #expect(calls.map { $0["id"] as? String } == ["functions.get_weather:1"])
        #expect(calls.first?["arguments"] as? String == "{\"city\": \"a}")
        let codes = Set((answer["engine_findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
        #expect(codes == ["engine-dropped-tool-call", "engine-reasoning-swallowed"])
        // vLLM: call_abc dropped too; streamed, the same answer.
        let vllm = try CLI.run(["parse-tool-calls", "--file", output, "--engine", "vllm", "--request", request, "--stream"])
        #expect(vllm.status == 1 && vllm.output.contains("vllm returns:") && vllm.output.contains("engine-dropped-tool-call"))
        #expect(!vllm.output.contains("engine-cut-arguments"))
        // No tools in the request: vLLM drops every call.
        let bare = try CLI.run(["parse-tool-calls", "--file", output, "--engine", "vllm", "--json"])
        let dropped = (try json(bare)["engine_findings"] as? [[String: Any]] ?? []).filter { $0["code"] as? String == "engine-dropped-tool-call" }
        #expect(dropped.count == 2 && (dropped.first?["message"] as? String)?.contains("declares no tools") == true)
        // Setups that were never recorded are refused, not guessed.
        let streamedSGLang = try CLI.run(["parse-tool-calls", "--file", output, "--engine", "sglang", "--reasoning-parser", "--stream"])
        #expect(streamedSGLang.status == 2 && streamedSGLang.stderr.contains("not reproduced"))
        let unknown = try CLI.run(["parse-tool-calls", "--file", output, "--engine", "llama"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no output parser"))
        let stray = try CLI.run(["parse-tool-calls", "--file", output, "--request", request])
        #expect(stray.status == 2)
    }

    @Test func compareFindsTheEngineProfileThatBuiltTheIDs() throws {
        let request = try write(#"{"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": false}"#, name: "request.json")
        let rendered = try CLI.run(["render", "--json", "--engine", "sglang", "--messages", request])
        let ids = try #require(try json(rendered)["ids"] as? [Int])
        let result = try CLI.run(["compare", "--json", "--engine", try write("\(ids)", name: "ids.json"), "--messages", request, "--engine-profile", "auto"])
        #expect(result.status == 1)
        let report = try json(result)
        #expect(report["matching_profiles"] as? [String] == ["sglang"])
        #expect((report["reference"] as? [String: Any])?["classification"] as? String == "engine-generation-prompt-forced")
        #expect((report["profile"] as? [String: Any])?["equal"] as? Bool == true)
        let bad = try CLI.run(["compare", "--engine", try write("\(ids)", name: "ids.json"), "--messages", request, "--engine-profile", "tgi"])
        #expect(bad.status == 2)
    }

    @Test func llamaCppEncodesRendersParsesAndIsNamed() throws {
        // Its tokenizer cuts Thai at the combining mark, and spells a token past its vocabulary.
        let thai = try json(try CLI.run(["encode", "--json", "--engine", "llama.cpp", "ได้"]))["ids"] as? [Int]
        let reference = try json(try CLI.run(["encode", "--json", "ได้"]))["ids"] as? [Int]
        #expect(thai != nil && thai != reference)
        let reserved = try json(try CLI.run(["encode", "--json", "--engine", "llama.cpp", "<|reserved_token_163840|>"]))["ids"] as? [Int]
        #expect(reserved?.count ?? 0 > 1)
        // A tool result given as parts prints nothing; the final assistant message is continued.
        let request = try write(
            #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "functions.f:0", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]}, {"role": "tool", "tool_call_id": "functions.f:0", "content": [{"type": "text", "text": "sunny"}]}, {"role": "assistant", "content": "It is"}]}"#,
            name: "request.json")
        let rendered = try CLI.run(["render", "--json", "--engine", "llama.cpp", "--messages", request])
        #expect(rendered.status == 0)
        let prompt = try #require(try json(rendered)["prompt"] as? String)
        #expect(!prompt.contains("sunny") && prompt.contains("{\"a\": 1}") && prompt.hasSuffix("<|im_assistant|>assistant<|im_middle|><think></think>It is"))
        let bad = try write(
            #"{"messages": [{"role": "assistant", "content": "", "tool_calls": [{"id": "x", "type": "function", "function": {"name": "f", "arguments": "city=Paris"}}]}, {"role": "user", "content": "go"}]}"#,
            name: "bad.json")
        let refused = try CLI.run(["render", "--engine", "llama.cpp", "--messages", bad])
        #expect(refused.status == 2 && refused.stderr.contains("invalid literal; last read: 'c'"))
        // compare: llama-server's IDs are named by its step.
        let ids = try #require(try json(rendered)["ids"] as? [Int])
        let compared = try CLI.run(["compare", "--json", "--engine", try write("\(ids)", name: "ids.json"), "--messages", request, "--engine-profile", "auto"])
        let report = try json(compared)
        #expect(report["matching_profiles"] as? [String] == ["llama.cpp"])
        #expect(((report["reference"] as? [String: Any])?["classification"] as? String)?.hasPrefix("engine-") == true)
        // Its parser throws on a call ID with a space, and says so.
        let tools = try write(#"{"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]}"#, name: "tools.json")
        let output = try write(
            "<|tool_calls_section_begin|><|tool_call_begin|> functions.f:0 <|tool_call_argument_begin|>{}<|tool_call_end|><|tool_calls_section_end|>",
            name: "out.txt")
        let parsed = try CLI.run(["parse-tool-calls", "--json", "--file", output, "--engine", "llama.cpp", "--request", tools])
        let answer = try json(parsed)
        #expect(
            (answer["engine_response"] as? [String: Any])?["error"] as? String == "The model produced output that does not match the expected peg-native format"
        )
        let findings = answer["engine_findings"] as? [[String: Any]] ?? []
        #expect(
            findings.first?["code"] as? String == "engine-parse-failure"
                && (findings.first?["message"] as? String)?.contains("whitespace around the call ID") == true)
    }

    @Test func normalizeIDsPrintsTheRewrittenRequest() throws {
        let result = try CLI.run(["normalize-ids", "--messages", try write(Self.leaky)])
        #expect(result.status == 0)
        #expect(result.output == Self.leaky.replacingOccurrences(of: "\"search:2\"", with: "\"functions.get_weather:0\""))
        let again = try CLI.run(["normalize-ids", "--messages", "-"], stdin: result.stdout)
        #expect(again.stdout == result.stdout)
        let bad = try CLI.run(["normalize-ids", "--messages", try write("{\"messages\": 3}")])
        #expect(bad.status == 2)
    }
}
