/// A chat message read through its fields' names once, here: what the renderers, engines and
/// checks read of a message, instead of looking up `[.string("tool_calls")]` themselves. The
/// message stays the template value it was (every field, in its order), so that the template
/// still sees it as the engine does.
public struct MessageView {
    /// The message's fields.
    public let fields: Value.DictBox

    /// A view of `message`; `nil` when it is not an object.
    public init?(_ message: Value) {
        guard case let .dict(box) = message else { return nil }
        fields = box
    }

    public subscript(_ name: String) -> Value? { fields[.string(name)] }

    /// `role`, when it is a string.
    public var role: String? { self["role"]?.stringValue }
    /// `content` as given: a string, a list of parts, `null`, or absent (`nil`).
    public var content: Value? { self["content"] }
    public var reasoningContent: Value? { self["reasoning_content"] }
    /// `name`, when it is a string.
    public var name: String? { self["name"]?.stringValue }
    /// `tool_call_id`, when it is a string.
    public var toolCallID: String? { self["tool_call_id"]?.stringValue }
    /// `tool_calls` when it is a list (absent, `null` or another type: `nil`).
    public var toolCallList: [Value]? {
        if case let .list(calls)? = self["tool_calls"] { return calls.items }
        return nil
    }
    /// The tool calls that are objects, in order.
    public var toolCalls: [ToolCallView] { (toolCallList ?? []).compactMap(ToolCallView.init) }
}

/// One tool call of an assistant message: `{"id", "type", "function": {"name", "arguments"}}`.
public struct ToolCallView {
    public let fields: Value.DictBox

    public init?(_ call: Value) {
        guard case let .dict(box) = call else { return nil }
        fields = box
    }

    public subscript(_ name: String) -> Value? { fields[.string(name)] }

    /// `id`, when it is a string.
    public var id: String? { self["id"]?.stringValue }
    /// The `function` object, when there is one.
    public var function: Value.DictBox? {
        if case let .dict(function)? = self["function"] { return function }
        return nil
    }
    /// `function.name`, when it is a string.
    public var name: String? { function?[.name]?.stringValue }
    /// `function.arguments` as given (a JSON string, an object, or anything else).
    public var arguments: Value? { function?[.arguments] }
}

extension Value {
    /// The string, when this is one.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }
}
