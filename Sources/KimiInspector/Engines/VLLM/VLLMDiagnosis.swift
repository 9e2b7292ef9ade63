import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// vLLM's steps as causes: when an engine's IDs equal what the vLLM profile builds from the same
/// request, its steps are applied one at a time to find the one that changes the prompt; and a
/// content-list leak in a prompt vLLM built under the `openai` content format is that format's
/// doing.
public struct VLLMDiagnosis: EngineDiagnosis {
    public init() {}
    public var engine: any EngineProfile { VLLMEngine() }

    public func explain(engineIDs: [Int], prompts: RequestPrompts, model: InspectedModel) -> (code: FindingCode, explanation: String)? {
        let request = prompts.request
        guard let renderer = try? model.renderer(), renderer.format.noTemplateReason == nil else { return nil }
        func ids(_ format: ContentFormat, _ steps: VLLMPreprocessing.Steps) -> [Int]? {
            prompts.ids(renderedBy: VLLMEngine(steps: steps), format: format)
        }
        let referenceIDs = prompts.referenceIDs
        // vLLM renders by the resolved format alone, so the format `auto` resolves to is not
        // tried a second time.
        let template = try? renderer.template(for: request)
        let detected = template.map { VLLMPreprocessing.resolve(.auto, template: $0) }
        for format in [ContentFormat.auto, .string, .openai] where format != detected && prompts.ids(of: engine, format: format) == engineIDs {
            let resolved = template.map { VLLMPreprocessing.resolve(format, template: $0) } ?? format
            let contentOnly = ids(format, .contentFormat)
            let argumentsOnly = ids(format, .arguments)
            let formatChanges = contentOnly != referenceIDs
            let argumentsChange = argumentsOnly != referenceIDs
            let formatName = "vLLM's content format '\(resolved.rawValue)'\(format == .auto ? " (detected)" : "")"
            if formatChanges, !argumentsChange || Self.firstDifference(contentOnly, referenceIDs) <= Self.firstDifference(argumentsOnly, referenceIDs) {
                let what =
                    resolved == .openai
                    ? "turned message content into lists of parts (a string into one text part, null into [])" : "joined content parts with line feeds"
                return (
                    .engineContentFormat,
                    "the engine's IDs are vLLM's render: \(formatName) \(what) before the template ran"
                        + (argumentsChange ? "; it also parsed and re-printed tool-call arguments" : "")
                )
            }
            if argumentsChange {
                let spans = Self.changedArguments(request)
                if VLLMPreprocessing.dropsArguments(request) {
                    return (
                        .engineArgumentsDropped,
                        "the engine's IDs are vLLM's render: tool-call arguments that are not valid JSON (or empty) were replaced by {}: " + spans
                    )
                }
                return (
                    .engineArgumentsReserialized,
                    "the engine's IDs are vLLM's render: tool-call arguments were parsed as JSON and printed again by the template's tojson: " + spans
                )
            }
        }
        return nil
    }

    public func cause(of code: FindingCode, in rendering: EngineRendering) -> (note: String, fix: String)? {
        guard code == .contentListLeak, rendering.contentFormat == .openai else { return nil }
        return (
            "vLLM's content format 'openai' turned the content into parts, and the template prints message['content']",
            "start vLLM with --chat-template-content-format string, or send null content instead of \"\" with tool calls, or use a fixed template that iterates the content parts"
        )
    }

    private static func firstDifference(_ a: [Int]?, _ b: [Int]) -> Int {
        guard let a else { return Int.max }
        return zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    /// `call N: 'sent' -> 'printed'` for each call whose arguments string the template would print
    /// differently after parsing.
    private static func changedArguments(_ request: ChatRequest) -> String {
        var spans: [String] = []
        var index = 0
        for message in request.messages {
            guard case let .dict(box) = message, case let .list(calls)? = box[.toolCalls] else { continue }
            for call in calls.items {
                defer { index += 1 }
                guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function],
                    case let .string(sent)? = function[.arguments]
                else { continue }
                let parsed = sent.isEmpty ? Value.dict([]) : ((try? JSONReader.parseValue(Array(sent.utf8))) ?? .dict([]))
                let printed = Value.jsonQuotedValue(parsed)
                if printed != sent { spans.append("call \(index): '\(sent.prefix(60))' -> '\(printed.prefix(60))'") }
            }
        }
        return spans.isEmpty ? "(no argument text changed)" : spans.joined(separator: "; ")
    }
}
