/// The fields of an OpenAI chat request that kimi-tok reads or writes: messages, their content
/// parts and tool calls. A field is named here once; code says `box[.toolCalls]`, not the string.
public enum MessageField: String, Sendable, CaseIterable {
    case role, content, name, reasoning, tools, tool, id, type, text, function, arguments
    case toolCalls = "tool_calls"
    case toolCallID = "tool_call_id"
    case reasoningContent = "reasoning_content"
    case messages
}

extension Value.DictBox {
    /// The value of a request field.
    public subscript(field: MessageField) -> Value? {
        get { self[.string(field.rawValue)] }
        set { self[.string(field.rawValue)] = newValue }
    }
}
