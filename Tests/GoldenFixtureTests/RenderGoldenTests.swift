import Foundation
import KimiChatTemplate
import KimiTokenizer
import TestSupport
import Testing

/// Every family's renderer against prompts, IDs and segments the reference made
/// (`Tests/Fixtures/renders.json`), and vLLM's preprocessing against prompts vLLM built
/// (`vllm.json`).
@Suite("Golden renders: each family and vLLM", .needsVocabulary)
struct RenderGoldenTests {
    @Test("K2, K2.5 and K3 requests render to the reference's prompt, IDs and segments")
    func familiesRenderAsTheReference() throws {
        var counts: [String: Int] = [:]
        for fixture in try GoldenFixtures.cases("renders.json") {
            let model = try #require(fixture["model"] as? String)
            let renderer = try GoldenModels.renderer(model, template: fixture["template"] as? String)
            let tokenizer = try GoldenModels.tokenizer(model)
            let result = Result {
                try renderer.rendered(
                    try GoldenModels.request(fixture["request"]), addGenerationPrompt: fixture["add_generation_prompt"] as? Bool ?? true,
                    variables: try GoldenModels.variables(fixture["variables"]))
            }
            if fixture["error"] != nil {
                #expect(throws: (any Error).self, "\(model): the reference refused \(fixture["error"] ?? "")") { try result.get() }
                continue
            }
            let rendered = try result.get()
            #expect(rendered.text == fixture["prompt"] as? String, "\(model) prompt")
            #expect(try rendered.ids(with: tokenizer) == fixture["ids"] as? [Int], "\(model) ids")
            if let segments = fixture["segments"] as? [[Any]] {
                let expected = segments.map { PromptSegment(text: $0[0] as? String ?? "", special: $0[1] as? Bool ?? false) }
                #expect(rendered.segments == expected, "\(model) segments")
            }
            counts[model, default: 0] += 1
        }
        #expect(counts["kimi-k2", default: 0] >= 10 && counts["kimi-k2.5", default: 0] >= 4 && counts["kimi-k3", default: 0] >= 10, "\(counts)")
    }

    @Test("vLLM's preprocessing gives vLLM's prompt, IDs and detected content format")
    func vllmReplays() throws {
        let renderer = try GoldenModels.renderer("kimi-k2")
        let tokenizer = try GoldenModels.tokenizer("kimi-k2")
        var compared = 0
        for record in try GoldenFixtures.cases("vllm.json") {
            let request = try GoldenModels.request(record["request"])
            let object = try JSONSerialization.jsonObject(with: Data((record["request"] as? String ?? "{}").utf8)) as? [String: Any]
            let generation = object?["add_generation_prompt"] as? Bool ?? true
            for (format, answer) in try #require(record["vllm"] as? [String: [String: Any]]) {
                let rendering = try renderer.render(
                    request, engine: VLLMEngine(),
                    EngineRenderOptions(contentFormat: try #require(ContentFormat(rawValue: format)), addGenerationPrompt: generation))
                #expect(rendering.prompt == answer["prompt"] as? String, "\(format): \(rendering.prompt.prefix(120))")
                #expect(try rendering.ids(with: tokenizer) == answer["ids"] as? [Int])
                #expect(rendering.contentFormat?.rawValue == answer["detected_content_format"] as? String)
                compared += 1
            }
        }
        #expect(compared >= 20)
    }

    @Test("SGLang's chat and /v1/tokenize paths give SGLang's prompt, spliced text and IDs, or its refusal")
    func sglangReplays() throws {
        let renderer = try GoldenModels.renderer("kimi-k2")
        let tokenizer = try GoldenModels.tokenizer("kimi-k2")
        var compared = 0, refused = 0
        for record in try GoldenFixtures.cases("sglang.json") {
            let request = try GoldenModels.request(record["request"])
            let answers = try #require(record["sglang"] as? [String: [String: Any]])
            for endpoint in EngineRenderOptions.Endpoint.allCases {
                let answer = try #require(answers[endpoint.rawValue])
                let result = Result {
                    try renderer.render(
                        request, engine: SGLangEngine(),
                        EngineRenderOptions(endpoint: endpoint, addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true))
                }
                if let error = answer["error"] as? String {
                    #expect(throws: KimiError.self, "\(endpoint): SGLang refused \(error)") { try result.get() }
                    if case let .failure(failure) = result { #expect(String(describing: failure).hasPrefix(error), "\(failure)") }
                    refused += 1
                    continue
                }
                let rendering = try result.get()
                #expect(rendering.templateOutput == answer["prompt"] as? String, "\(endpoint)")
                #expect(rendering.continuation == answer["appended"] as? String, "\(endpoint)")
                #expect(try rendering.ids(with: tokenizer) == answer["ids"] as? [Int], "\(endpoint)")
                compared += 1
            }
        }
        #expect(compared >= 30 && refused >= 20, "\(compared) compared, \(refused) refused")
    }

    @Test("vLLM's K3 path gives vLLM's prompt and IDs, or its refusal")
    func vllmK3Replays() throws {
        let renderer = try GoldenModels.renderer("kimi-k3")
        let tokenizer = try GoldenModels.tokenizer("kimi-k3")
        var compared = 0, refused = 0
        for record in try GoldenFixtures.cases("vllm-k3.json") {
            let request = try GoldenModels.request(record["request"])
            let answer = try #require(record["vllm"] as? [String: Any])
            let variables = request.templateKwargs
            let result = Result {
                try renderer.render(
                    request, engine: VLLMEngine(),
                    EngineRenderOptions(addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true, variables: variables))
            }
            if let error = answer["error"] as? String {
                #expect(throws: KimiError.self, "vLLM refused \(error)") { try result.get() }
                if case let .failure(failure) = result { #expect(String(describing: failure) == error) }
                refused += 1
                continue
            }
            let rendering = try result.get()
            #expect(rendering.prompt == answer["prompt"] as? String)
            #expect(try rendering.ids(with: tokenizer) == answer["ids"] as? [Int])
            compared += 1
        }
        #expect(compared >= 8 && refused >= 2, "\(compared) compared, \(refused) refused")
    }
}
