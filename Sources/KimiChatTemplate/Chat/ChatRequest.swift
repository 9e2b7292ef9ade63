import KimiIO

/// An OpenAI-style chat request: messages and optional tools, kept as template values so that
/// every field (known or not, in its original order) reaches the template as the engine sees it.
public struct ChatRequest: Sendable {
    /// The messages, each a dict.
    public let messages: [Value]
    /// The tool declarations, or `nil` when the request has none.
    public let tools: [Value]?

    /// Roles that OpenAI-style requests use.
    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// A request that is not the shape the renderer needs.
    public struct ShapeError: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(messages: [Value], tools: [Value]?) throws(ShapeError) {
        for (index, message) in messages.enumerated() { try Self.check(message, index) }
        if let tools {
            for (index, tool) in tools.enumerated() {
                guard case .dict = tool else { throw ShapeError(description: "tool \(index) is \(tool.typeName), not an object") }
            }
        }
        self.messages = messages
        self.tools = tools
    }

    /// Reads `messagesJSON` (an array of messages, or an object with `messages` and optionally
    /// `tools`) and, if given, `toolsJSON` (an array of tools, or an object with `tools`).
    public static func read(messagesJSON: [UInt8], toolsJSON: [UInt8]? = nil) throws -> ChatRequest {
        let document = try JSONReader.parseValue(messagesJSON)
        var messages: [Value]
        var tools: [Value]?
        switch document {
        case let .list(box):
            messages = box.items
        case let .dict(box):
            guard case let .list(list)? = box[.string("messages")] else {
                throw ShapeError(description: "the request object has no 'messages' array")
            }
            messages = list.items
            switch box[.string("tools")] {
            case nil, .none?: tools = nil
            case let .list(list)?: tools = list.items
            case let other?: throw ShapeError(description: "'tools' is \(other.typeName), not an array")
            }
        default:
            throw ShapeError(description: "the messages file holds \(document.typeName); expected an array of messages or a request object")
        }
        if let toolsJSON {
            if tools != nil {
                throw ShapeError(description: "the request already has 'tools'; give them there or with --tools, not both")
            }
            tools = try readTools(toolsJSON)
        }
        return try ChatRequest(messages: messages, tools: tools)
    }

    /// Reads tools on their own: an array of tools, or an object with a `tools` array.
    public static func readTools(_ json: [UInt8]) throws -> [Value] {
        let tools: [Value]
        switch try JSONReader.parseValue(json) {
        case let .list(list): tools = list.items
        case let .dict(box):
            guard case let .list(list)? = box[.string("tools")] else {
                throw ShapeError(description: "the tools file holds an object without a 'tools' array")
            }
            tools = list.items
        case let other: throw ShapeError(description: "the tools file holds \(other.typeName); expected an array of tools")
        }
        return try ChatRequest(messages: [], tools: tools).tools ?? []
    }

    private static func check(_ message: Value, _ index: Int) throws(ShapeError) {
        guard case let .dict(box) = message else {
            throw ShapeError(description: "message \(index) is \(message.typeName), not an object")
        }
        guard case let .string(role)? = box[.string("role")] else {
            throw ShapeError(description: "message \(index) has no string 'role'")
        }
        guard knownRoles.contains(role) else {
            throw ShapeError(description: "message \(index) has unknown role '\(role)' (expected one of \(knownRoles.sorted().joined(separator: ", ")))")
        }
        switch box[.string("content")] {
        case nil, .none?, .string?: break
        case let .list(parts)?:
            for (partIndex, part) in parts.items.enumerated() {
                guard case .dict = part else {
                    throw ShapeError(description: "message \(index) content part \(partIndex) is \(part.typeName), not an object")
                }
            }
        case let other?:
            throw ShapeError(description: "message \(index) content is \(other.typeName); expected a string, an array of parts or null")
        }
        switch box[.string("tool_calls")] {
        case nil, .none?: break
        case let .list(calls)?:
            for (callIndex, call) in calls.items.enumerated() {
                guard case let .dict(callBox) = call else {
                    throw ShapeError(description: "message \(index) tool call \(callIndex) is \(call.typeName), not an object")
                }
                guard case let .dict(function)? = callBox[.string("function")] else {
                    throw ShapeError(description: "message \(index) tool call \(callIndex) has no 'function' object")
                }
                guard case .string? = function[.string("name")] else {
                    throw ShapeError(description: "message \(index) tool call \(callIndex) has no function 'name'")
                }
            }
        case let other?:
            throw ShapeError(description: "message \(index) tool_calls is \(other.typeName), not an array")
        }
    }
}
