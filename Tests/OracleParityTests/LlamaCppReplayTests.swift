import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
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

extension LiveInspectorParity {
    @Test("compare names llama.cpp's step for every recorded prompt and string whose IDs differ from the reference")
    func llamaCppStepsExplainRecordedIDs() throws {
        let tokenizer = try Reference.tokenizer.get()
        let directory = ModelDirectory(path: Reference.referenceModelDirectory, source: .option)
        let communityPath = TestEnvironment.sharedDirectory.appendingPathComponent("templates/kimi-k2-llamacpp.jinja").path
        let renderers = [
            "embedded": try ChatRenderer(modelDirectory: directory),
            "kimi-k2-llamacpp.jinja": try ChatRenderer(modelDirectory: directory, templatePath: communityPath),
        ]
        let models = renderers.mapValues { renderer in
            InspectedModel(tokenizer: tokenizer, family: renderer.format.family, renderer: { renderer })
        }
        var named: [String: Int] = [:]
        var unexplained: [String] = []
        for line in try LlamaCppReplay.lines("kimi-k2-chat.jsonl") {
            guard let requestJSON = line["request"], case let .object(answers)? = line["llamacpp"] else { continue }
            let request = try ChatRequest.read(messagesJSON: Array(try Value(json: requestJSON).compactJSON().utf8))
            for (run, answer) in answers {
                guard let model = models[run], let ids = LlamaCppReplay.ints(answer["ids"]) else { continue }
                let input = InspectionInput(
                    source: .request(request), variables: request.templateKwargs,
                    expectsGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true)
                guard let report = try? ComparisonReport(engineIDs: ids, input: input, model: model), !report.equal else { continue }
                let code = report.reference.classification
                named[code.rawValue, default: 0] += 1
                if !FindingCode.engineSteps.contains(code), unexplained.count < 5 { unexplained.append("\(run): \(code): \(report.reference.explanation)") }
            }
        }
        var strings: [String: Int] = [:]
        for line in try LlamaCppReplay.lines("kimi-k2-tokenize.jsonl") {
            guard case let .string(text)? = line["text"], case .bool(true)? = line["parse_special"], case let .string(kind)? = line["class"],
                kind != "identical",
                let ids = LlamaCppReplay.ints(line["llamacpp_ids"])
            else { continue }
            let report = try ComparisonReport(engineIDs: ids, input: InspectionInput(source: .prompt(text)), model: try #require(models["embedded"]))
            let code = report.reference.classification
            strings[code.rawValue, default: 0] += 1
            if ![FindingCode.enginePretokenizerSplit, .engineSpecialTokenUnknown].contains(code), unexplained.count < 8 {
                unexplained.append("\(kind): \(code): \(report.reference.explanation) \(text.debugDescription.prefix(80))")
            }
        }
        print("llama.cpp compare: prompts named \(named.sorted { $0.key < $1.key }); strings named \(strings.sorted { $0.key < $1.key })")
        for line in unexplained { Issue.record(Comment(rawValue: line)) }
        #expect(unexplained.isEmpty)
    }
}
