import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// The llama.cpp engine profile against what llama.cpp build 11434 itself did
/// (`../shared/engines/llama.cpp`): its tokenizer on every recorded string, and llama-server's
/// prompt, IDs or refusal for every recorded request with both templates.
enum LlamaCppReplay {
    static func lines(_ file: String) throws -> [JSONValue] {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/llama.cpp/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONReader.parse(Array($0.utf8)) }
    }

    static func ints(_ value: JSONValue?) -> [Int]? {
        guard case let .array(items)? = value else { return nil }
        return items.compactMap { if case let .int(id) = $0 { id } else { nil } }
    }
}

extension LiveTokenizerParity {
    @Test("llama.cpp's tokenizer: every recorded string gives llama.cpp's IDs (parse_special on and off)")
    func llamaCppTokenizerReplays() throws {
        let tokenizer = try Reference.tokenizer.get().llamaCpp()
        var identical = 0, total = 0
        var failures: [String] = []
        for line in try LlamaCppReplay.lines("kimi-k2-tokenize.jsonl") {
            guard case let .string(text)? = line["text"], case let .bool(special)? = line["parse_special"],
                let expected = LlamaCppReplay.ints(line["llamacpp_ids"])
            else { throw OracleFailure(message: "unexpected record shape") }
            total += 1
            let ids = try tokenizer.encode(text, mode: special ? .tiktoken : .ordinary)
            if ids == expected {
                identical += 1
            } else if failures.count < 5 {
                failures.append("\(text.debugDescription.prefix(200)) special=\(special)\nllama.cpp \(expected.prefix(30))\nkimi-tok  \(ids.prefix(30))")
            }
        }
        print("llama.cpp tokenizer replay: \(identical) of \(total) identical")
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(identical == total && total == 17_000)
    }
}

extension LiveChatFormatParity {
    @Test("llama.cpp profile: every recorded request, both templates: llama-server's prompt and IDs, or its refusal")
    func llamaCppChatReplays() throws {
        let tokenizer = try Reference.tokenizer.get()
        let model = ModelDirectory(path: Reference.referenceModelDirectory, source: .option)
        let community = try ChatRenderer(
            modelDirectory: model, templatePath: TestEnvironment.sharedDirectory.appendingPathComponent("templates/kimi-k2-llamacpp.jinja").path)
        let renderers = ["embedded": try ChatRenderer(modelDirectory: model), "kimi-k2-llamacpp.jinja": community]
        var identical = 0, refusedAlike = 0, total = 0
        var failures: [String] = []
        for line in try LlamaCppReplay.lines("kimi-k2-chat.jsonl") {
            guard let requestJSON = line["request"], case let .object(answers)? = line["llamacpp"] else {
                throw OracleFailure(message: "unexpected record shape")
            }
            let request = try ChatRequest.read(messagesJSON: Array(try Value(json: requestJSON).compactJSON().utf8))
            let options = EngineRenderOptions(addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true, variables: request.templateKwargs)
            for (run, answer) in answers {
                guard let renderer = renderers[run] else { continue }
                total += 1
                let result = Result { try renderer.render(request, engine: LlamaCppEngine(), options) }
                if case let .string(error)? = answer["error"] {
                    if case let .failure(failure) = result, String(describing: failure) == error {
                        refusedAlike += 1
                    } else if failures.count < 6 {
                        failures.append("\(run): llama.cpp refused (\(error)), kimi-tok: \(result)")
                    }
                    continue
                }
                guard case let .string(prompt)? = answer["prompt"], let ids = LlamaCppReplay.ints(answer["ids"]) else { continue }
                switch result {
                case let .failure(failure):
                    if failures.count < 6 { failures.append("\(run): llama.cpp rendered, kimi-tok refused: \(failure)") }
                case let .success(rendering):
                    let ours = try rendering.ids(with: tokenizer)
                    if rendering.prompt == prompt, ours == ids {
                        identical += 1
                    } else if failures.count < 6 {
                        let a = Array(rendering.prompt.unicodeScalars), b = Array(prompt.unicodeScalars)
                        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                        failures.append(
                            "\(run): prompt \(rendering.prompt == prompt ? "same, IDs differ" : "differs at scalar \(first)")\nkimi-tok:  \(String(String.UnicodeScalarView(a.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\nllama.cpp: \(String(String.UnicodeScalarView(b.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)"
                        )
                    }
                }
            }
        }
        print("llama.cpp chat replay: \(identical) identical prompts and IDs, \(refusedAlike) refused alike, of \(total)")
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(identical + refusedAlike == total && total == 1_000)
    }
}
