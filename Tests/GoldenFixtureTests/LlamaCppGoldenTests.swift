import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer
import TestSupport
import Testing

/// The llama.cpp engine on a sample of its recordings (`Tests/Fixtures/llamacpp.json`): its
/// tokenizer on strings of every class, llama-server's prompts and refusals with the model's
/// own template, and its parser's answers. The whole files are replayed by the live suites.
@Suite("Golden llama.cpp: tokenizer, prompts, parser", .needsVocabulary)
struct LlamaCppGoldenTests {
    static func fixture() throws -> [String: Any] {
        try #require(try GoldenFixtures.load("llamacpp.json") as? [String: Any])
    }

    @Test("its tokenizer gives llama.cpp's IDs on strings of every class")
    func tokenizer() throws {
        let llama = try GoldenModels.tokenizer("kimi-k2").llamaCpp()
        let cases = try #require(try Self.fixture()["tokenize"] as? [[String: Any]])
        var classes: Set<String> = []
        for item in cases {
            let text = try #require(item["text"] as? String)
            let special = try #require(item["parse_special"] as? Bool)
            #expect(try llama.encode(text, mode: special ? .tiktoken : .ordinary) == item["ids"] as? [Int], "\(text.debugDescription.prefix(80))")
            classes.insert(try #require(item["class"] as? String))
        }
        #expect(classes == ["identical", "pretokenizer-marks", "pretokenizer-camelcase", "special-token"])
    }

    @Test("the profile gives llama-server's prompt and IDs, or its refusal, with the model's template")
    func prompts() throws {
        let model = try GoldenModels.inspected("kimi-k2")
        let renderer = try model.renderer()
        let cases = try #require(try Self.fixture()["chat"] as? [[String: Any]])
        var refused = 0, rendered = 0
        for item in cases {
            let request = try GoldenModels.request(item["request"])
            let answer = try #require(item["llamacpp"] as? [String: Any])
            let options = EngineRenderOptions(addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true, variables: request.templateKwargs)
            let result = Result { try renderer.render(request, engine: LlamaCppEngine(), options) }
            if let error = answer["error"] as? String {
                #expect((try? result.get()) == nil && "\(result)".contains(error), "\(error)")
                refused += 1
                continue
            }
            let rendering = try result.get()
            #expect(rendering.prompt == answer["prompt"] as? String)
            #expect(try rendering.ids(with: model.tokenizer) == answer["ids"] as? [Int])
            rendered += 1
        }
        #expect(refused > 0 && rendered > 10)
    }

    @Test("its parser gives llama.cpp's answer or error; a template without Kimi's markup never gives a call")
    func parser() throws {
        let parser = LlamaCppKimiK2OutputParser()
        let cases = try #require(try Self.fixture()["parser"] as? [[String: Any]])
        var errors = 0
        for item in cases {
            let output = try #require(item["output"] as? String)
            let request = try JSONReader.parseValue(Array(try #require(item["request"] as? String).utf8))
            let answer = try #require(item["answer"] as? [String: Any])
            var context = EngineResponseContext(request: request, reasoningParser: true)
            let response = try parser.response(to: output, context)
            if let error = answer["error"] as? String {
                #expect(response.parseError == error)
                errors += 1
            } else {
                #expect(response.content == answer["content"] as? String && response.reasoning == answer["reasoning_content"] as? String)
                let calls = (answer["tool_calls"] as? [[String: Any]] ?? []).map { [$0["id"] as? String, $0["name"] as? String, $0["arguments"] as? String] }
                #expect(response.toolCalls?.map { [$0.id, $0.name, $0.arguments] } == calls)
            }
            context.template = try Template(source: "{% for m in messages %}{{ m['content'] }}{% endfor %}", name: "plain")
            #expect(try parser.response(to: output, context) == EngineResponse(content: output, reasoning: "", toolCalls: []))
        }
        #expect(errors > 5)
    }
}
