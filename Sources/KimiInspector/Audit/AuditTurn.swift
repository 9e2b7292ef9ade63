import KimiChatTemplate
import KimiIO

/// One served turn read from a log line: the chat request, and whichever of the engine's prompt
/// IDs, its response and the model's raw output the log kept.
///
/// The plain shape is `{"id", "request", "prompt_token_ids", "response"}`, every field but
/// `request` optional. Other shapes are read as aliases of it (docs/cli.md lists them):
/// K2VV's result lines (`data_index` for `id`), K2VV's request files and bare requests (a line
/// that is itself the request, with `messages`), the prompt IDs in any shape ``EngineTokenIDs``
/// reads (also `tokenize`, or inside the response), the response as an object or an SSE stream
/// (a string, or `response_stream`), the raw output as `output_text` or `output_token_ids`.
public struct AuditTurn: Sendable {
    /// The turn's `id` (or `data_index`), as written in the log; `nil` when it has none.
    public let id: JSONValue?
    /// The request as the client sent it, as a template value and as JSON.
    public let request: Value
    public let requestJSON: JSONValue
    /// K2VV's `status` (`success` or `failed`), when the log is K2VV's results.
    public let status: String?
    /// The engine profile the turn names (`engine`), over the run's own.
    public let engine: String?
    /// The prompt IDs the engine built, when the log has them.
    public let promptTokenIDs: [Int]?
    /// What the server answered, as logged.
    public let response: Response?
    /// What the model wrote before the engine parsed it, as text or IDs.
    public let output: Output?

    /// A server's answer as logged.
    public enum Response: Sendable {
        /// A chat-completion object (or an error object, which has no `choices`).
        case object(JSONValue)
        /// The text of a Server-Sent Events stream.
        case stream(String)
    }

    /// The model's raw output.
    public enum Output: Sendable {
        case text(String)
        case ids([Int])
    }

    /// The turn in `line` (one JSON object); a line that is not one, or whose fields are not
    /// of their shape, throws with the reason (a JSON syntax error with its line and column).
    public init(line: [UInt8]) throws {
        let document = try JSONReader.parse(line)
        guard case .object = document else {
            throw KimiError(.badInput, "a turn is a JSON object, not \(document.typeName)")
        }
        func field(_ names: String...) -> JSONValue? {
            for name in names {
                if let value = document[name], value != .null { return value }
            }
            return nil
        }
        if let request = field("request") {
            guard case .object = request else { throw KimiError(.badInput, "'request' is \(request.typeName), not a chat request object") }
            self.request = Value(json: request)
            requestJSON = request
        } else if document["messages"] != nil {
            request = Value(json: document)
            requestJSON = document
        } else {
            throw KimiError(.badInput, "the turn has no 'request' (and is not itself a request with 'messages')")
        }
        id = field("id", "data_index", "request_id")
        if case let .string(status)? = field("status") { self.status = status } else { status = nil }
        switch field("engine") {
        case nil: engine = nil
        case let .string(name)?: engine = name
        case let other?: throw KimiError(.badInput, "'engine' is \(other.typeName), not an engine profile's name")
        }
        switch field("response", "response_stream") {
        case nil: response = nil
        case let .string(text)?: response = .stream(text)
        case let value?:
            guard case .object = value else {
                throw KimiError(.badInput, "'response' is \(value.typeName), not a chat-completion object or an SSE stream")
            }
            response = .object(value)
        }
        let responseIDs: EngineTokenIDs.Found? =
            if case let .object(object)? = response, Self.carriesTokenIDs(object) { try? EngineTokenIDs.find(in: Value(json: object)) } else { nil }
        if case let .array(items)? = field("prompt_token_ids"), let ids = Self.integers(items) {
            promptTokenIDs = ids
        } else if let ids = field("prompt_token_ids", "prompt_ids", "tokenize") {
            let found = try EngineTokenIDs.find(in: Value(json: ids))
            guard let prompt = found.plain ?? found.prompt else { throw KimiError(.badInput, "'prompt_token_ids' holds no prompt IDs") }
            promptTokenIDs = prompt
        } else {
            promptTokenIDs = responseIDs?.prompt
        }
        if case let .string(text)? = field("output_text", "raw_output") {
            output = .text(text)
        } else if let ids = field("output_token_ids", "output_ids") {
            let found = try EngineTokenIDs.find(in: Value(json: ids))
            guard let first = found.plain ?? found.outputs.first else { throw KimiError(.badInput, "'output_token_ids' holds no IDs") }
            output = .ids(first)
        } else {
            output = responseIDs?.outputs.first.map { .ids($0) }
        }
    }

    /// The items as integers when every one is a non-negative integer.
    private static func integers(_ items: [JSONValue]) -> [Int]? {
        var ids: [Int] = []
        ids.reserveCapacity(items.count)
        for item in items {
            guard case let .int(id) = item, id >= 0 else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// Whether a response carries token IDs (vLLM's `prompt_token_ids`, `choices[i].token_ids`).
    private static func carriesTokenIDs(_ object: JSONValue) -> Bool {
        if object["prompt_token_ids"] != nil || object["output_ids"] != nil { return true }
        guard case let .array(choices)? = object["choices"] else { return false }
        return choices.contains { $0["token_ids"] != nil || $0["prompt_token_ids"] != nil }
    }

    /// The request as the renderer takes it.
    public func chatRequest() throws -> ChatRequest {
        try ChatRequest(value: request)
    }

    /// The `model` the request names.
    public var model: String? {
        if case let .dict(box) = request, case let .string(name)? = box[.string("model")] { return name }
        return nil
    }
}
