import KimiChatTemplate
import KimiIO

/// What MoonshotAI's K2 Vendor Verifier (`tool_calls_eval.py`) records for one response, worked
/// out the way it works it out: the request succeeded when the server answered with choices; the
/// finish reason is the first choice's; when that is `tool_calls` and the message has calls,
/// the calls are valid when every one names a tool of the request whose `parameters` is a
/// non-empty, well-formed schema, and its arguments (a JSON string, or an object as is) satisfy
/// it.
public struct K2VVOutcome: Sendable, Equatable {
    /// Whether the server answered with a completion (K2VV's `status == "success"`).
    public let succeeded: Bool
    /// The first choice's `finish_reason` (K2VV takes `"stop"` for a stream that sent none).
    public let finishReason: String?
    /// Whether every call validates; `nil` unless the finish reason is `tool_calls` and the
    /// message has calls (K2VV counts `nil` there as a schema error).
    public let toolCallsValid: Bool?

    public init(succeeded: Bool, finishReason: String?, toolCallsValid: Bool?) {
        self.succeeded = succeeded
        self.finishReason = finishReason
        self.toolCallsValid = toolCallsValid
    }

    /// The outcome of a logged chat-completion object answering `request`; `status`, when the
    /// log records K2VV's own, decides success.
    public init(response: JSONValue, request: JSONValue?, status: String?) {
        let choice: JSONValue? = if case let .array(choices)? = response["choices"] { choices.first } else { nil }
        succeeded = status.map { $0 == "success" } ?? (choice != nil)
        if case let .string(reason)? = choice?["finish_reason"] { finishReason = reason } else { finishReason = nil }
        guard finishReason == "tool_calls", case let .array(calls)? = choice?["message"]?["tool_calls"], !calls.isEmpty else {
            toolCallsValid = nil
            return
        }
        let tools = request?["tools"] ?? .array([])
        toolCallsValid = calls.allSatisfy { Self.valid($0, tools: tools) }
    }

    /// The outcome of a response assembled from an SSE stream (or an engine's answer), as K2VV
    /// assembles streams: calls as deltas gave them, `"stop"` when no finish reason came.
    public init(choice: CompletionResponse.Choice?, request: JSONValue?) {
        succeeded = choice != nil
        finishReason = choice.map { $0.finishReason ?? "stop" }
        guard let choice, finishReason == "tool_calls", !choice.calls.isEmpty else {
            toolCallsValid = nil
            return
        }
        let tools = request?["tools"] ?? .array([])
        toolCallsValid = choice.calls.allSatisfy { call in
            Self.valid(.object([("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))]))]), tools: tools)
        }
    }

    /// `validate_tool_call`: the first tool of that name gives the schema; a missing field, an
    /// empty or malformed schema, arguments that are not JSON, or a violation make it invalid.
    static func valid(_ call: JSONValue, tools: JSONValue) -> Bool {
        guard let name = call["function"]?["name"], let arguments = call["function"]?["arguments"] else { return false }
        guard case let .array(declared) = tools else { return false }
        var schema: JSONValue?
        for tool in declared {
            guard let function = tool["function"], let declaredName = function["name"] else { return false }
            if declaredName == name {
                guard let parameters = function["parameters"] else { return false }
                schema = parameters
                break
            }
        }
        guard let schema, isTruthy(schema) else { return false }
        let instance: Value
        if case let .string(text) = arguments {
            guard let parsed = try? JSONReader.parseValue(Array(text.utf8)) else { return false }
            instance = parsed
        } else {
            instance = Value(json: arguments)
        }
        let validator = JSONSchemaValidator(schema: Value(json: schema))
        return validator.schemaIsWellFormed && validator.violations(of: instance).isEmpty
    }

    /// Python's truth of a JSON value (`if not schema`).
    private static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case let .bool(flag): flag
        case let .int(number): number != 0
        case .bigInt: true
        case let .float(number): number != 0
        case let .string(text): !text.isEmpty
        case let .array(items): !items.isEmpty
        case let .object(pairs): !pairs.isEmpty
        }
    }
}
