import Foundation
import TestSupport
import Testing

/// `kimi-tok serve` answers what the CLI prints: `/tokenize` gives `encode`'s and `render`'s IDs,
/// `/detokenize` gives `decode`'s text, and the `/v1/kimi/*` endpoints give the very bytes of
/// the commands' `--json`.
@Suite("kimi-tok serve: the same answers as the CLI", .serialized, .needsShared)
struct ServiceContractTests {
    static let models = ["kimi-k2", "kimi-k2.5", "kimi-k3"]
    let service: ServiceProcess

    init() throws {
        service = try ServiceProcess(arguments: Self.models.flatMap { ["--model-dir", ServiceProcess.sharedModel($0)] } + ["--trust-request-chat-template"])
    }

    func write(_ data: Data, _ name: String) throws -> String {
        let url = try CLI.temporaryDirectory().appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func object(_ answer: ServiceProcess.Answer) throws -> [String: Any] {
        #expect(answer.status == 200, "\(answer.text)")
        return try #require(answer.json as? [String: Any], "\(answer.text)")
    }

    /// Texts of every kind: slices of each shared corpus and edge cases of the pre-tokenizer.
    static func texts() throws -> [String] {
        let corpus = TestEnvironment.sharedDirectory.appendingPathComponent("corpus")
        var texts = [
            "", " ", "hello world", "<|im_end|>", "<|im_user|>user<|im_middle|>hi<|im_end|>", "\r\n\t  \u{3000}x",
            "🙂👍🏽 family 👨‍👩‍👧", String(repeating: " ", count: 30_000) + "x", String(repeating: "a", count: 26_000),
            "I'm 12,345.67 'quoted' DON'T", "[{'type': 'text', 'text': ''}]",
        ]
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() where !name.hasSuffix(".md") {
            let text = String(decoding: try Data(contentsOf: corpus.appendingPathComponent(name)), as: UTF8.self)
            let scalars = Array(text.unicodeScalars)
            var start = 0
            for length in [1, 7, 100, 1000, 5000] where start < scalars.count {
                let end = min(scalars.count, start + length)
                var slice = String.UnicodeScalarView()
                slice.append(contentsOf: scalars[start..<end])
                texts.append(String(slice))
                start = end + length * 13
            }
        }
        // Seeded random strings over the pre-tokenizer's hard cases.
        let atoms = [
            " ", "  ", "\n", "\r\n", "\t", "\u{3000}", "\u{A0}", "a", "Z", "é", "e\u{301}", "7", "42", "'s", "'LL", "!", "?", ".", "{", "\"",
            "天气", "ニャ", "한국", "عربي", "🙂", "👍🏽", "👨‍👩‍👧", "\u{FEFF}", "\u{200D}", "<|im_end|>", "<|im_user|>", "<|tool_call_begin|>", "<|reserved_token_5|>",
        ]
        var state: UInt64 = 0x5EED_2027
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % 1_000_000)
        }
        for _ in 0..<500 {
            texts.append((0..<(next() % 30)).map { _ in atoms[next() % atoms.count] }.joined())
        }
        return texts
    }

    @Test func tokenizeAPromptGivesTheIDsOfEncode() throws {
        let texts = try Self.texts()
        let records = try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        let path = try write(Data((records.joined(separator: "\n") + "\n").utf8), "texts.jsonl")
        for model in Self.models {
            let cli = try CLI.run(["encode", "--jsonl", path, "--model-dir", ServiceProcess.sharedModel(model)])
            #expect(cli.status == 0, "\(cli.stderr)")
            let lines = cli.output.split(separator: "\n")
            try #require(lines.count == texts.count)
            for (text, line) in zip(texts, lines) {
                let expected = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["ids"] as? [Int]
                let answer = try object(try service.post("/tokenize", json: ["model": model, "prompt": text]))
                #expect(answer["tokens"] as? [Int] == expected, "\(model): \(text.prefix(60).debugDescription)")
                #expect(answer["count"] as? Int == expected?.count)
                #expect(answer["max_model_len"] as? Int == 131_072)
                #expect(answer["token_strs"] is NSNull)
            }
        }
    }

    /// Requests vLLM really received (../shared/engines), with the template each was rendered
    /// with: `/tokenize` with messages gives `render --json`'s IDs, `/v1/kimi/render` its bytes.
    @Test func tokenizeAChatRequestGivesTheIDsOfRender() throws {
        let lines = try String(contentsOf: TestEnvironment.sharedDirectory.appendingPathComponent("engines/vllm-0.33.0/kimi-k2-chat.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(60)
        var compared = 0
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let request = try #require(record["request"] as? [String: Any])
            let generation = request["add_generation_prompt"] as? Bool ?? true
            var body: [String: Any] = ["model": "kimi-k2", "messages": request["messages"] as Any, "add_generation_prompt": generation]
            if let tools = request["tools"] { body["tools"] = tools }
            var arguments = [
                "render", "--json", "--messages", try write(try JSONSerialization.data(withJSONObject: request, options: .sortedKeys), "request.json"),
            ]
            arguments += ["--model-dir", ServiceProcess.sharedModel("kimi-k2")]
            if !generation { arguments.append("--no-generation-prompt") }
            if let template = record["template"] as? String {
                let path = TestEnvironment.sharedDirectory.appendingPathComponent("templates/\(template)").path
                body["chat_template"] = try String(contentsOfFile: path, encoding: .utf8)
                arguments += ["--template", path]
            }
            let cli = try CLI.run(arguments)
            let rendered = try service.post("/v1/kimi/render", json: body)
            if cli.status != 0 {
                // A request refused by both: a template error (file:line:column) is the renderer's
                // refusal (422); anything else is the request's shape (400).
                let templateError = cli.stderr.range(of: #"\.jinja:\d+:\d+: "#, options: .regularExpression) != nil
                #expect(rendered.status == (templateError ? 422 : 400), "\(rendered.text)")
                continue
            }
            #expect(rendered.text + "\n" == cli.output, "render body differs for \(line.prefix(120))")
            let ids = try #require(try JSONSerialization.jsonObject(with: cli.stdout) as? [String: Any])["ids"] as? [Int]
            let tokenized = try object(try service.post("/tokenize", json: body))
            #expect(tokenized["tokens"] as? [Int] == ids)
            compared += 1
        }
        #expect(compared >= 40)
    }

    /// Kimi K2.5 (thinking on and off through chat_template_kwargs, TypeScript tools) and K3
    /// (segments) requests: `/tokenize` and `/v1/kimi/render` agree with `render --json`.
    @Test func newerFamiliesRenderAsTheCLIDoes() throws {
        let tools: [[String: Any]] = [
            [
                "type": "function",
                "function": [
                    "name": "search", "description": "Search the web",
                    "parameters": ["type": "object", "properties": ["query": ["type": "string"], "limit": ["type": "integer"]], "required": ["query"]],
                ],
            ]
        ]
        let messages: [[String: Any]] = [
            ["role": "system", "content": "Be brief."], ["role": "user", "content": "Find kimi-tok"],
            [
                "role": "assistant", "content": "",
                "tool_calls": [["id": "functions.search:0", "type": "function", "function": ["name": "search", "arguments": "{\"query\": \"kimi-tok\"}"]]],
            ],
            ["role": "tool", "tool_call_id": "functions.search:0", "content": "one result"],
        ]
        let request = try write(try JSONSerialization.data(withJSONObject: ["messages": messages, "tools": tools], options: .sortedKeys), "request.json")
        for (model, kwargs) in [("kimi-k2.5", [:]), ("kimi-k2.5", ["thinking": false]), ("kimi-k3", [:]), ("kimi-k3", ["thinking": false])]
            as [(String, [String: Any])]
        {
            var arguments = ["render", "--json", "--messages", request, "--model-dir", ServiceProcess.sharedModel(model)]
            for (name, value) in kwargs { arguments += ["--variable", "\(name)=\(value as? Bool == false ? "false" : "true")"] }
            let cli = try CLI.run(arguments)
            #expect(cli.status == 0, "\(cli.stderr)")
            let body: [String: Any] = ["model": model, "messages": messages, "tools": tools, "chat_template_kwargs": kwargs]
            let rendered = try service.post("/v1/kimi/render", json: body)
            #expect(rendered.text + "\n" == cli.output, "\(model) \(kwargs)")
            let ids = try #require(try JSONSerialization.jsonObject(with: cli.stdout) as? [String: Any])["ids"] as? [Int]
            #expect(try object(try service.post("/tokenize", json: body))["tokens"] as? [Int] == ids)
        }
    }

    @Test func detokenizeGivesTheTextOfDecode() throws {
        let idLists = [[], [22931, 2695, 163586], [163584, 0, 1, 2, 255], [130890], [130890, 2217], Array(0..<300), [163841, 163600]]
        for ids in idLists {
            let cli = try CLI.run(["decode", "--json"] + ids.map(String.init) + ["--model-dir", ServiceProcess.sharedModel("kimi-k2")])
            #expect(cli.status == 0, "\(cli.stderr)")
            let text = try #require(try JSONSerialization.jsonObject(with: cli.stdout) as? [String: Any])["text"] as? String
            let answer = try object(try service.post("/detokenize", json: ["tokens": ids]))
            #expect(answer["prompt"] as? String == text, "\(ids.prefix(8))")
        }
    }

    /// `token_strs` are the tokens' bytes in the byte-level alphabet, special tokens by name.
    @Test func tokenStringsAreByteLevelNames() throws {
        let answer = try object(try service.post("/tokenize", json: ["prompt": "hello world\n<|im_end|>é", "return_token_strs": true]))
        let tokens = try #require(answer["tokens"] as? [Int])
        let strings = try #require(answer["token_strs"] as? [String])
        #expect(strings.count == tokens.count)
        #expect(strings.first == "hello")
        #expect(strings.contains("Ġworld"))
        #expect(strings.contains("<|im_end|>"))
        #expect(strings.joined().contains("Ċ"))
        #expect(strings.last == "Ã©")
    }

    /// The kimi-tok endpoints answer the bytes `--json` prints, for each way of giving input.
    @Test func inspectorEndpointsAnswerTheCommandsJSON() throws {
        let model = ServiceProcess.sharedModel("kimi-k2")
        let messages: [[String: Any]] = [["role": "user", "content": "hi"], ["role": "assistant", "content": [["type": "text", "text": ""]]]]
        let request = try write(try JSONSerialization.data(withJSONObject: ["messages": messages], options: .sortedKeys), "request.json")
        let prompt = "<|im_user|>user<|im_middle|>hi<|im_end|><|im_assistant|>assistant<|im_middle|>[{'type': 'text', 'text': ''}]<|im_end|>"
        let promptFile = try write(Data(prompt.utf8), "prompt.txt")
        let engineIDs = "163587 2482 163601 9663 163586"
        let engineFile = try write(Data(engineIDs.utf8), "engine.txt")
        let output = "<|tool_calls_section_begin|><|tool_call_begin|>search:2<|tool_call_argument_begin|>{\"q\": 1}<|tool_call_end|><|tool_calls_section_end|>"
        let outputFile = try write(Data(output.utf8), "output.txt")
        let cases: [(path: String, body: [String: Any], arguments: [String])] = [
            ("/v1/kimi/check", ["messages": messages], ["check", "--json", "--messages", request]),
            (
                "/v1/kimi/check", ["prompt": prompt, "add_generation_prompt": false],
                ["check", "--json", "--prompt-file", promptFile, "--no-generation-prompt"]
            ),
            ("/v1/kimi/check", ["ids": engineIDs], ["check", "--json", "--ids-file", engineFile]),
            ("/v1/kimi/check", ["messages": messages, "engine": "vllm"], ["check", "--json", "--messages", request, "--engine", "vllm"]),
            ("/v1/kimi/compare", ["messages": messages, "engine": engineIDs], ["compare", "--json", "--messages", request, "--engine", engineFile]),
            (
                "/v1/kimi/compare", ["messages": messages, "engine": engineIDs, "engine_profile": "vllm"],
                ["compare", "--json", "--messages", request, "--engine", engineFile, "--engine-profile", "vllm"]
            ),
            ("/v1/kimi/compare", ["prompt": prompt, "engine": engineIDs], ["compare", "--json", "--prompt-file", promptFile, "--engine", engineFile]),
            ("/v1/kimi/tool-calls", ["output": output], ["parse-tool-calls", "--json", "--file", outputFile]),
            ("/v1/kimi/tool-calls", ["ids": engineIDs], ["parse-tool-calls", "--json", "--ids", "--file", engineFile]),
            ("/v1/kimi/tokens", ["prompt": prompt], ["tokens", "--json", "--file", promptFile]),
        ]
        for (path, body, arguments) in cases {
            let cli = try CLI.run(arguments + ["--model-dir", model])
            #expect(cli.status != 2, "\(arguments): \(cli.stderr)")
            let answer = try service.post(path, json: body)
            #expect(answer.status == 200, "\(path): \(answer.text)")
            #expect(answer.text + "\n" == cli.output, "\(path) \(body.keys.sorted())")
        }
    }

    /// kimi-tok's own engine client, pointed at the service as at an engine, finds the reference.
    @Test func compareAgainstTheServiceAsAnEngineIsEqual() throws {
        let messages: [[String: Any]] = [["role": "user", "content": "What is 2+2?"]]
        let request = try write(try JSONSerialization.data(withJSONObject: ["messages": messages], options: .sortedKeys), "request.json")
        for model in Self.models {
            let compared = try CLI.run([
                "compare", "--engine-url", "http://127.0.0.1:\(service.port)", "--engine-model", model, "--messages", request,
                "--model-dir", ServiceProcess.sharedModel(model),
            ])
            #expect(compared.status == 0, "\(model): \(compared.output) \(compared.stderr)")
            #expect(compared.output.hasPrefix("equal"), "\(model): \(compared.output)")
        }
    }

    /// The page is one self-contained document: nothing is loaded from another origin.
    @Test func pageIsSelfContained() throws {
        let page = try service.get("/")
        #expect(page.status == 200)
        #expect(page.text.hasPrefix("<!doctype html>"))
        #expect(page.text.contains("/v1/kimi/check") && page.text.contains("content-list-leak"))
        #expect(page.text.range(of: #"(src|href)\s*=\s*["']?(https?:)?//"#, options: .regularExpression) == nil)
        #expect(!page.text.contains("@import") && !page.text.contains("url("))
    }

    /// The issue's own acceptance check: Python's `requests` gets the IDs `kimi-tok encode` prints.
    @Test(.needsOracle) func pythonRequestsGetsTheIDsOfEncode() throws {
        let text = "Kimi K2 tool calls: <|tool_calls_section_begin|> 🙂 naïve café"
        let cli = try CLI.run(["encode", "--model-dir", ServiceProcess.sharedModel("kimi-k2"), "--", text])
        #expect(cli.status == 0)
        let script = """
            import requests, sys
            answer = requests.post(f"http://127.0.0.1:{sys.argv[1]}/tokenize", json={"model": "kimi-k2", "prompt": sys.argv[2]})
            answer.raise_for_status()
            print(" ".join(map(str, answer.json()["tokens"])))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.oraclePython)
        process.arguments = ["-c", script, String(service.port), text]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(printed == cli.output)
    }
}
