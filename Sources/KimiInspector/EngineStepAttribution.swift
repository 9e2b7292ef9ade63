import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// Names the engine step that made an engine's prompt differ from the reference: when the
/// engine's IDs equal what an engine profile builds from the same request, the profile's steps
/// are applied one at a time to find the one that changes the prompt.
public enum EngineStepAttribution {
    /// The cause and a line that explains it, with the changed argument spans when arguments
    /// were printed again; `nil` when no engine profile builds the engine's IDs.
    public static func explain(
        engineIDs: [Int], request: ChatRequest, renderer: ChatRenderer, tokenizer: KimiTokenizer,
        addGenerationPrompt: Bool, variables: [String: Value] = [:]
    ) -> (code: FindingCode, explanation: String)? {
        func ids(_ format: ContentFormat, _ steps: VLLMPreprocessing.Steps) -> [Int]? {
            guard
                let rendering = try? renderer.render(
                    request, engine: .vllm, contentFormat: format, steps: steps, addGenerationPrompt: addGenerationPrompt,
                    variables: variables)
            else { return nil }
            return try? tokenizer.encode(rendering.prompt, mode: .hf)
        }
        guard let reference = try? renderer.render(request, addGenerationPrompt: addGenerationPrompt, variables: variables),
            let referenceIDs = try? tokenizer.encode(reference, mode: .hf)
        else { return nil }
        for format in [ContentFormat.auto, .string, .openai] where ids(format, .all) == engineIDs {
            let resolved = (try? renderer.template(for: request)).map { VLLMPreprocessing.resolve(format, template: $0) } ?? format
            let contentOnly = ids(format, .contentFormat)
            let argumentsOnly = ids(format, .arguments)
            let formatChanges = contentOnly != referenceIDs
            let argumentsChange = argumentsOnly != referenceIDs
            let formatName = "vLLM's content format '\(resolved.rawValue)'\(format == .auto ? " (detected)" : "")"
            if formatChanges, !argumentsChange || firstDifference(contentOnly, referenceIDs) <= firstDifference(argumentsOnly, referenceIDs) {
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
                let spans = changedArguments(request)
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
            guard case let .dict(box) = message, case let .list(calls)? = box[.string("tool_calls")] else { continue }
            for call in calls.items {
                defer { index += 1 }
                guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.string("function")],
                    case let .string(sent)? = function[.string("arguments")]
                else { continue }
                let parsed = sent.isEmpty ? Value.dict([]) : ((try? JSONReader.parseValue(Array(sent.utf8))) ?? .dict([]))
                let printed = Value.jsonQuotedValue(parsed)
                if printed != sent { spans.append("call \(index): '\(sent.prefix(60))' -> '\(printed.prefix(60))'") }
            }
        }
        return spans.isEmpty ? "(no argument text changed)" : spans.joined(separator: "; ")
    }
}
