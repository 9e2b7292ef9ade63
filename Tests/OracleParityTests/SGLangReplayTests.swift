import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// The SGLang engine profile against what SGLang 0.5.23 itself built: every request of
/// `../shared/engines/sglang-0.5.23/kimi-k2-chat.jsonl`, on the chat-completions path and on
/// `/v1/tokenize`, must give SGLang's prompt, spliced text and input IDs, or its refusal.
enum SGLangReplay {
    struct Outcome {
        var identical = 0
        var refusedAlike = 0
        var total = 0
        var failures: [String] = []
    }

    /// Replays every record on `endpoint`.
    static func replay(_ endpoint: EngineRenderOptions.Endpoint) throws -> Outcome {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/sglang-0.5.23/kimi-k2-chat.jsonl")
        let tokenizer = try Reference.tokenizer.get()
        let model = ModelDirectory(path: Reference.referenceModelDirectory, source: .option)
        var renderers: [String: ChatRenderer] = [:]
        func renderer(_ name: String?) throws -> ChatRenderer {
            let key = name ?? ""
            if let cached = renderers[key] { return cached }
            let path = name.map { TestEnvironment.sharedDirectory.appendingPathComponent("templates/\($0)").path }
            let made = try ChatRenderer(modelDirectory: model, templatePath: path)
            renderers[key] = made
            return made
        }
        var outcome = Outcome()
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let record = try JSONReader.parse(Array(line.utf8))
            guard let requestJSON = record["request"], case let .object(answers)? = record["sglang"],
                let answer = answers.first(where: { $0.key == endpoint.rawValue })?.value
            else {
                throw OracleFailure(message: "unexpected record shape")
            }
            let template: String? = if case let .string(name)? = record["template"] { name } else { nil }
            outcome.total += 1
            let requestText = try Value(json: requestJSON).compactJSON()
            let request = try ChatRequest.read(messagesJSON: Array(requestText.utf8))
            let addGenerationPrompt = request.field("add_generation_prompt")?.isTruthy ?? true
            let result = Result {
                try renderer(template).render(
                    request, engine: SGLangEngine(), EngineRenderOptions(endpoint: endpoint, addGenerationPrompt: addGenerationPrompt))
            }
            if case let .string(error)? = answer["error"] {
                if case let .failure(failure) = result, String(describing: failure).hasPrefix(error) || error.hasPrefix(String(describing: failure)) {
                    outcome.refusedAlike += 1
                } else {
                    outcome.failures.append("refused by SGLang (\(error.prefix(120))), kimi-tok: \(result)\n\(requestText.prefix(400))")
                }
                continue
            }
            guard case let .string(prompt)? = answer["prompt"], case let .array(ids)? = answer["ids"] else { continue }
            let appended: String? = if case let .string(text)? = answer["appended"] { text } else { nil }
            switch result {
            case let .failure(failure):
                outcome.failures.append("SGLang rendered, kimi-tok refused: \(failure)\n\(requestText.prefix(400))")
            case let .success(rendering):
                let ours = try rendering.ids(with: tokenizer)
                let expected = ids.compactMap { if case let .int(id) = $0 { id } else { nil } }
                if rendering.templateOutput == prompt, rendering.continuation == appended, ours == expected {
                    outcome.identical += 1
                } else {
                    let a = Array(rendering.templateOutput.unicodeScalars), b = Array(prompt.unicodeScalars)
                    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                    outcome.failures.append(
                        "\(template ?? "model template"): differs at scalar \(first) (appended \(rendering.continuation.debugDescription) vs \(appended.debugDescription))\nkimi-tok: \(String(String.UnicodeScalarView(a.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\nSGLang:   \(String(String.UnicodeScalarView(b.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\n\(requestText.prefix(600))"
                    )
                }
            }
        }
        return outcome
    }
}

extension LiveChatFormatParity {
    @Test(
        "SGLang profile: every recorded request, chat completions and /v1/tokenize: identical prompts, IDs and refusals",
        arguments: EngineRenderOptions.Endpoint.allCases)
    func sglangReplays(_ endpoint: EngineRenderOptions.Endpoint) throws {
        let outcome = try SGLangReplay.replay(endpoint)
        print(
            "sglang replay \(endpoint): \(outcome.identical) identical prompts, spliced text and IDs, \(outcome.refusedAlike) refused alike, of \(outcome.total)"
        )
        for failure in outcome.failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
        #expect(
            outcome.failures.isEmpty,
            "\(endpoint): \(outcome.identical) identical, \(outcome.refusedAlike) refused alike, \(outcome.failures.count) differ of \(outcome.total)")
        #expect(outcome.total == 1_300)
    }
}
