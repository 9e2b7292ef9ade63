import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer
import TestSupport
import Testing

/// `compare` on engine IDs taken from the recordings: every prompt SGLang or vLLM (K2.5, K3)
/// built differently from the reference is named by one of the engine's steps, and each engine
/// profile with all its steps switched off builds the reference's prompt.
enum EngineStepReplay {
    struct Case {
        /// The `--chat-template` file the engine was started with (`nil`: the model's own).
        let template: String?
        let request: ChatRequest
        let engineIDs: [Int]
        let options: EngineRenderOptions
    }

    struct Source {
        let file: String
        let model: String
        let engine: any EngineProfile
        let endpoint: EngineRenderOptions.Endpoint
        /// Whether the engine maps the request's options (`reasoning_effort`, `response_format`,
        /// `tool_choice`, `enable_thinking`) as the recording's reference did, which the plain
        /// reference render here does not: such requests are left out of the steps-off check.
        var mapsOptions = false
    }

    static let sources = [
        Source(file: "sglang-0.5.23/kimi-k2-chat.jsonl", model: "kimi-k2", engine: SGLangEngine(), endpoint: .chat),
        Source(file: "sglang-0.5.23/kimi-k2-chat.jsonl", model: "kimi-k2", engine: SGLangEngine(), endpoint: .tokenize),
        Source(file: "vllm-0.33.0/kimi-k25-chat.jsonl", model: "kimi-k2.5", engine: VLLMEngine(), endpoint: .chat),
        Source(file: "vllm-0.33.0/kimi-k3-chat.jsonl", model: "kimi-k3", engine: VLLMEngine(), endpoint: .chat, mapsOptions: true),
    ]

    /// The recorded requests of `source` the engine rendered, with its IDs, on the model
    /// directory's own template.
    static func cases(_ source: Source) throws -> [Case] {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/\(source.file)")
        var cases: [Case] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let record = try JSONReader.parse(Array(line.utf8))
            let template: String? = if case let .string(name)? = record["template"] { name } else { nil }
            guard let requestJSON = record["request"] else { throw OracleFailure(message: "unexpected record shape") }
            var answer = record["vllm"]
            if case let .object(endpoints)? = record["sglang"] { answer = endpoints.first { $0.key == source.endpoint.rawValue }?.value }
            guard case let .array(ids)? = answer?["ids"] else { continue }
            let request = try ChatRequest.read(messagesJSON: Array(try Value(json: requestJSON).compactJSON().utf8))
            let options = EngineRenderOptions(
                endpoint: source.endpoint, addGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true,
                variables: request.templateKwargs)
            cases.append(
                Case(template: template, request: request, engineIDs: ids.compactMap { if case let .int(id) = $0 { id } else { nil } }, options: options))
        }
        return cases
    }

    static func model(_ name: String, template: String? = nil) throws -> InspectedModel {
        let directory = ModelDirectory(path: TestEnvironment.sharedDirectory.appendingPathComponent("vocab/\(name)").path, source: .option)
        let tokenizer = try KimiTokenizer.load(directory)
        let path = template.map { TestEnvironment.sharedDirectory.appendingPathComponent("templates/\($0)").path }
        let renderer = try ChatRenderer(modelDirectory: directory, templatePath: path)
        return InspectedModel(tokenizer: tokenizer, family: renderer.format.family, renderer: { renderer })
    }
}

extension LiveInspectorParity {
    @Test("compare names an engine step for every recorded prompt an engine built differently", arguments: EngineStepReplay.sources.indices)
    func engineStepsExplainRecordedPrompts(_ index: Int) throws {
        let source = EngineStepReplay.sources[index]
        var models: [String: InspectedModel] = [:]
        var named: [String: Int] = [:]
        var unexplained: [String] = []
        var differing = 0, offMatches = 0, offTotal = 0
        for item in try EngineStepReplay.cases(source) {
            let model = try models[item.template ?? ""] ?? EngineStepReplay.model(source.model, template: item.template)
            models[item.template ?? ""] = model
            let renderer = try model.renderer()
            let reference = try? renderer.rendered(item.request, addGenerationPrompt: item.options.addGenerationPrompt, variables: item.options.variables)
            // With every step off, the profile builds the reference's prompt (for requests whose
            // options the reference takes as they are: K3's are mapped alike by both).
            let mappedOptions =
                ["reasoning_effort", "response_format", "tool_choice"].contains { item.request.field($0) != nil }
                || item.request.templateKwargs["enable_thinking"] != nil || item.request.templateKwargs["reasoning_effort"] != nil
            if let reference, !(source.mapsOptions && mappedOptions),
                let off = try? renderer.render(item.request, engine: source.engine.keeping([]), item.options)
            {
                offTotal += 1
                if off.prompt == reference.text {
                    offMatches += 1
                } else if unexplained.count < 3 {
                    let a = Array(off.prompt.unicodeScalars), b = Array(reference.text.unicodeScalars)
                    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                    unexplained.append(
                        "steps off differ from the reference at \(first):\n\(String(String.UnicodeScalarView(a.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)\n\(String(String.UnicodeScalarView(b.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)\n\(item.request.fields)"
                    )
                }
            }
            guard let referenceIDs = try? reference?.ids(with: model.tokenizer), referenceIDs != item.engineIDs else { continue }
            differing += 1
            var input = InspectionInput(
                source: .request(item.request), variables: item.options.variables, expectsGenerationPrompt: item.options.addGenerationPrompt)
            input.endpoint = source.endpoint
            let report = try ComparisonReport(engineIDs: item.engineIDs, input: input, model: model)
            let code = report.reference.classification
            named[code.rawValue, default: 0] += 1
            if !FindingCode.engineSteps.contains(code), unexplained.count < 6 {
                unexplained.append(
                    "\(code): \(report.reference.explanation.prefix(300))\n\(item.request.messages.map(\.pythonRepr).joined(separator: " | ").prefix(800)) \(item.request.fields)"
                )
            }
        }
        print(
            "\(source.file) \(source.endpoint): \(differing) differing prompts named \(named.sorted { $0.key < $1.key }); steps off = reference on \(offMatches) of \(offTotal)"
        )
        for line in unexplained { Issue.record(Comment(rawValue: line)) }
        #expect(differing > 0)
        #expect(named.filter { !FindingCode.engineSteps.contains(FindingCode(rawValue: $0.key) ?? .equal) }.isEmpty)
        #expect(offMatches == offTotal)
    }

    @Test("--engine-profile auto finds the profile that built recorded IDs")
    func autoProfileFindsTheEngine() throws {
        for source in EngineStepReplay.sources {
            let model = try EngineStepReplay.model(source.model)
            let renderer = try model.renderer()
            var checked = 0
            for item in try EngineStepReplay.cases(source) where item.template == nil {
                guard checked < 15,
                    let reference = try? renderer.rendered(
                        item.request, addGenerationPrompt: item.options.addGenerationPrompt, variables: item.options.variables),
                    (try? reference.ids(with: model.tokenizer)) != item.engineIDs
                else { continue }
                checked += 1
                let input = InspectionInput(
                    source: .request(item.request), variables: item.options.variables, expectsGenerationPrompt: item.options.addGenerationPrompt)
                let report = try ComparisonReport(engineIDs: item.engineIDs, input: input, model: model, autoProfile: true)
                let label = source.engine.name + (source.endpoint == .chat ? "" : " --endpoint tokenize")
                #expect(
                    report.matchingProfiles?.contains { $0.hasPrefix(source.engine.name) } == true,
                    "\(source.file): \(label) not among \(report.matchingProfiles ?? [])")
                #expect(report.profile?.comparison.equal == true)
            }
            #expect(checked == 15)
        }
    }
}
