import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// The vLLM engine profile on Kimi K2.5 and K3 against what vLLM 0.33.0 built
/// (`../shared/engines/vllm-0.33.0/kimi-k25-chat.jsonl`, `kimi-k3-chat.jsonl`): prompts, IDs and
/// refusals, line for line.
enum VLLMFamilyReplay {
    struct Outcome {
        var identical = 0
        var refusedAlike = 0
        var total = 0
        var failures: [String] = []
    }

    static func replay(file: String, model: String) throws -> Outcome {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/vllm-0.33.0/\(file)")
        let directory = ModelDirectory(path: TestEnvironment.sharedDirectory.appendingPathComponent("vocab/\(model)").path, source: .option)
        let tokenizer = try KimiTokenizer.load(directory)
        let renderer = try ChatRenderer(modelDirectory: directory)
        var outcome = Outcome()
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let record = try JSONReader.parse(Array(line.utf8))
            guard let requestJSON = record["request"], let answer = record["vllm"] else { throw OracleFailure(message: "unexpected record shape") }
            outcome.total += 1
            let requestText = try Value(json: requestJSON).compactJSON()
            let request = try ChatRequest.read(messagesJSON: Array(requestText.utf8))
            let variables = request.templateKwargs
            let result = Result {
                try renderer.render(
                    request, engine: VLLMEngine(),
                    EngineRenderOptions(addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true, variables: variables))
            }
            if case let .string(error)? = answer["error"] {
                if case let .failure(failure) = result, String(describing: failure).hasPrefix(error) || error.hasPrefix(String(describing: failure)) {
                    outcome.refusedAlike += 1
                } else {
                    outcome.failures.append("refused by vLLM (\(error.prefix(160))), kimi-tok: \(result)\n\(requestText.prefix(300))")
                }
                continue
            }
            guard case let .string(prompt)? = answer["prompt"], case let .array(ids)? = answer["ids"] else { continue }
            switch result {
            case let .failure(failure):
                outcome.failures.append("vLLM rendered, kimi-tok refused: \(failure)\n\(requestText.prefix(300))")
            case let .success(rendering):
                let expected = ids.compactMap { if case let .int(id) = $0 { id } else { nil } }
                if rendering.prompt == prompt, try rendering.ids(with: tokenizer) == expected {
                    outcome.identical += 1
                } else {
                    let a = Array(rendering.prompt.unicodeScalars), b = Array(prompt.unicodeScalars)
                    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                    outcome.failures.append(
                        "differs at scalar \(first)\nkimi-tok: \(String(String.UnicodeScalarView(a.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\nvLLM:     \(String(String.UnicodeScalarView(b.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\n\(requestText.prefix(500))"
                    )
                }
            }
        }
        return outcome
    }
}

extension LiveChatFormatParity {
    @Test("vLLM profile on Kimi K2.5: every recorded request gives vLLM's prompt and IDs")
    func vllmK25Replays() throws {
        let outcome = try VLLMFamilyReplay.replay(file: "kimi-k25-chat.jsonl", model: "kimi-k2.5")
        print("vllm k2.5 replay: \(outcome.identical) identical prompts and IDs, \(outcome.refusedAlike) refused alike, of \(outcome.total)")
        for failure in outcome.failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.failures.isEmpty, "\(outcome.failures.count) differ of \(outcome.total)")
    }

    @Test("vLLM profile on Kimi K3: every recorded request gives vLLM's prompt and IDs, or its refusal")
    func vllmK3Replays() throws {
        let outcome = try VLLMFamilyReplay.replay(file: "kimi-k3-chat.jsonl", model: "kimi-k3")
        print("vllm k3 replay: \(outcome.identical) identical prompts and IDs, \(outcome.refusedAlike) refused alike, of \(outcome.total)")
        for failure in outcome.failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.failures.isEmpty, "\(outcome.failures.count) differ of \(outcome.total)")
    }
}
