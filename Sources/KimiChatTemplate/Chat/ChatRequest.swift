import KimiIO

/// An OpenAI-style chat request: messages and optional tools, kept as template values so that
/// every field (known or not, in its original order) reaches the template as the engine sees it.
public struct ChatRequest: Sendable {
    /// The messages, each a dict.
    public let messages: [Value]
    /// The tool declarations, or `nil` when the request has none.
    public let tools: [Value]?
    /// The request object's other fields (`add_generation_prompt`, `tool_choice`,
    /// `continue_final_message`, `chat_template_kwargs`, `reasoning_effort`, ...), which engine
    /// profiles read; empty when the request was a list of messages.
    public let fields: [String: Value]

    /// Roles that OpenAI-style requests use.
    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// A request that is not the shape the renderer needs.
    public init(messages: [Value], tools: [Value]?, fields: [String: Value] = [:]) throws(KimiError) {
        for (index, message) in messages.enumerated() { try Self.check(message, index) }
        if let tools {
            for (index, tool) in tools.enumerated() {
                guard case .dict = tool else { throw KimiError(.badInput, "tool \(index) is \(tool.typeName), not an object") }
            }
        }
        self.messages = messages
        self.tools = tools
        self.fields = fields
    }

    /// The request field `name`, when the request has it.
    public func field(_ name: String) -> Value? { fields[name] }

    /// The request's `chat_template_kwargs`, as template variables (empty when it has none).
    public var templateKwargs: [String: Value] {
        guard case let .dict(kwargs)? = fields["chat_template_kwargs"] else { return [:] }
        var variables: [String: Value] = [:]
        for (key, value) in kwargs.pairs { variables[key.pythonString] = value }
        return variables
    }

    /// Reads `messagesJSON` (an array of messages, or an object with `messages` and optionally
    /// `tools`) and, if given, `toolsJSON` (an array of tools, or an object with `tools`).
    public static func read(messagesJSON: [UInt8], toolsJSON: [UInt8]? = nil) throws -> ChatRequest {
        let request = try ChatRequest(value: try JSONReader.parseValue(messagesJSON))
        guard let toolsJSON else { return request }
        if request.tools != nil {
            throw KimiError(.badInput, "the request already has 'tools'; give them there or with --tools, not both")
        }
        return try ChatRequest(messages: request.messages, tools: try readTools(toolsJSON), fields: request.fields)
    }

    /// The request `document` holds: an array of messages, or a request object with `messages`,
    /// optionally `tools`, and other fields.
    public init(value document: Value) throws {
        var messages: [Value]
        var tools: [Value]?
        var fields: [String: Value] = [:]
        switch document {
        case let .list(box):
            messages = box.items
        case let .dict(box):
            guard case let .list(list)? = box[.messages] else {
                throw KimiError(.badInput, "the request object has no 'messages' array")
            }
            messages = list.items
            for (key, value) in box.pairs {
                guard case let .string(name) = key, name != "messages", name != "tools" else { continue }
                fields[name] = value
            }
            switch box[.tools] {
            case nil, .none?: tools = nil
            case let .list(list)?: tools = list.items
            case let other?: throw KimiError(.badInput, "'tools' is \(other.typeName), not an array")
            }
        default:
            throw KimiError(.badInput, "the messages file holds \(document.typeName); expected an array of messages or a request object")
        }
        try self.init(messages: messages, tools: tools, fields: fields)
    }

    /// Reads tools on their own: an array of tools, or an object with a `tools` array.
    public static func readTools(_ json: [UInt8]) throws -> [Value] {
        let tools: [Value]
        switch try JSONReader.parseValue(json) {
        case let .list(list): tools = list.items
        case let .dict(box):
            guard case let .list(list)? = box[.tools] else {
                throw KimiError(.badInput, "the tools file holds an object without a 'tools' array")
            }
            tools = list.items
        case let other: throw KimiError(.badInput, "the tools file holds \(other.typeName); expected an array of tools")
        }
        return try ChatRequest(messages: [], tools: tools).tools ?? []
    }

    private static func check(_ message: Value, _ index: Int) throws(KimiError) {
        guard case let .dict(box) = message else {
            throw KimiError(.badInput, "message \(index) is \(message.typeName), not an object")
        }
        guard case let .string(role)? = box[.role] else {
            throw KimiError(.badInput, "message \(index) has no string 'role'")
        }
        guard knownRoles.contains(role) else {
            throw KimiError(.badInput, "message \(index) has unknown role '\(role)' (expected one of \(knownRoles.sorted().joined(separator: ", ")))")
        }
        switch box[.content] {
        case nil, .none?, .string?: break
        case let .list(parts)?:
            for (partIndex, part) in parts.items.enumerated() {
                guard case .dict = part else {
                    throw KimiError(.badInput, "message \(index) content part \(partIndex) is \(part.typeName), not an object")
                }
            }
        case let other?:
            throw KimiError(.badInput, "message \(index) content is \(other.typeName); expected a string, an array of parts or null")
        }
        switch box[.toolCalls] {
        case nil, .none?: break
        case let .list(calls)?:
            for (callIndex, call) in calls.items.enumerated() {
                guard case let .dict(callBox) = call else {
                    throw KimiError(.badInput, "message \(index) tool call \(callIndex) is \(call.typeName), not an object")
                }
                guard case let .dict(function)? = callBox[.function] else {
                    throw KimiError(.badInput, "message \(index) tool call \(callIndex) has no 'function' object")
                }
                guard case .string? = function[.name] else {
                    throw KimiError(.badInput, "message \(index) tool call \(callIndex) has no function 'name'")
                }
            }
        case let other?:
            throw KimiError(.badInput, "message \(index) tool_calls is \(other.typeName), not an array")
        }
    }
}
