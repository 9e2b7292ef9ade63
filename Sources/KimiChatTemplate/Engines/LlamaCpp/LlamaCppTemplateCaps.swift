/// What llama-server decides about a chat template before it renders anything: which chat
/// handler parses the model's answers, and whether tool calls take their arguments as objects.
///
/// - The **Kimi K2 handler** takes a template that writes `<|tool_calls_section_begin|>` and
///   `<|tool_call_begin|>`; any other template gets the generic parser built from it.
/// - **Object arguments**: a probe conversation with one tool call whose arguments are an
///   object is rendered; when the template prints them, llama.cpp hands every call's
///   arguments to the template as an object (parsing the strings clients send).
public struct LlamaCppTemplateCaps: Sendable, Equatable {
    /// The chat handler llama.cpp picks.
    public enum Handler: String, Sendable {
        /// `common/parsers/kimi-k2.cpp`: its own prefill (`<think></think>`) and call parser.
        case kimiK2 = "kimi-k2"
        /// The parser llama.cpp generates from the template itself.
        case generic
    }

    public let handler: Handler
    /// Whether the template renders tool calls at all.
    public let toolCalls: Bool
    /// Whether tool-call arguments are passed to the template as objects.
    public let objectArguments: Bool

    /// The capabilities of `template`, found as llama.cpp finds them.
    public static func detect(_ template: Template) -> LlamaCppTemplateCaps {
        let source = template.source
        let handler: Handler = source.contains("<|tool_calls_section_begin|>") && source.contains("<|tool_call_begin|>") ? .kimiK2 : .generic
        let call = Value.dict(
            Value.DictBox([
                (.string("id"), .string("call_probe")), (.string("type"), .string("function")),
                (
                    .string("function"),
                    .dict(
                        Value.DictBox([
                            (.string("name"), .string("tool_probe")),
                            (.string("arguments"), .dict(Value.DictBox([(.string("argument_needle"), .string("probe"))]))),
                        ]))
                ),
            ]))
        let messages = Value.list([
            .dict(Value.DictBox([(.string("role"), .string("user")), (.string("content"), .string("probe"))])),
            .dict(
                Value.DictBox([(.string("role"), .string("assistant")), (.string("content"), .string("")), (.string("tool_calls"), .list([call]))])),
        ])
        let output = (try? template.rendered(as: .llamaCpp).render(["messages": messages, "add_generation_prompt": .bool(false)])) ?? ""
        let toolCalls = output.contains("tool_probe") || output.contains("call_probe")
        let objectArguments = output.contains("\"argument_needle\": \"probe\"") || output.contains("\"argument_needle\":\"probe\"")
        return LlamaCppTemplateCaps(handler: handler, toolCalls: toolCalls, objectArguments: objectArguments)
    }
}
