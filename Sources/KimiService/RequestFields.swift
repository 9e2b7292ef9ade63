import KimiChatTemplate
import KimiIO
import KimiInspector

/// A request body: one JSON object, read the way the CLI reads its files, with accessors that
/// answer a field of the wrong type with a 400 naming the field (the readers' own shape errors
/// become 400s through ``ServiceError/from(_:)``).
struct RequestFields: Sendable {
    let object: JSONValue

    init(body: [UInt8]) throws {
        let value: JSONValue
        do {
            value = try JSONReader.parse(body, strict: true)
        } catch {
            throw ServiceError.badRequest("the body is not JSON: \(error)")
        }
        guard case .object = value else { throw ServiceError.badRequest("the body is \(value.typeName), not a JSON object") }
        object = value
    }

    /// Whether the field is there (and not null).
    func has(_ name: String) -> Bool {
        if let value = object[name], value != .null { return true }
        return false
    }

    func string(_ name: String) throws -> String? {
        switch object[name] {
        case nil, .null?: return nil
        case let .string(text)?: return text
        case let other?: throw ServiceError.badRequest("'\(name)' is \(other.typeName), not a string")
        }
    }

    func bool(_ name: String) throws -> Bool? {
        switch object[name] {
        case nil, .null?: return nil
        case let .bool(flag)?: return flag
        case let other?: throw ServiceError.badRequest("'\(name)' is \(other.typeName), not a boolean")
        }
    }

    func int(_ name: String) throws -> Int? {
        switch object[name] {
        case nil, .null?: return nil
        case let .int(number)?: return number
        case let other?: throw ServiceError.badRequest("'\(name)' is \(other.typeName), not an integer")
        }
    }

    /// The field written back as JSON bytes, for the readers the CLI feeds with file contents;
    /// a string field gives its text (numbers separated by spaces, say, or raw model output).
    func bytes(_ name: String) -> [UInt8]? {
        switch object[name] {
        case nil, .null?: return nil
        case let .string(text)?: return Array(text.utf8)
        case let value?: return JSONWriter.bytes(of: value)
        }
    }

    /// An enumeration field (`engine`, `content_format`, `family`) by its raw value.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw ServiceError.badRequest("'\(name)' is '\(text)'; expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// The engine profile `name` picks; the reference when it is absent.
    func engine(_ name: String) throws -> any EngineProfile {
        try choice(name, as: EngineName.self)?.profile ?? EngineProfiles.reference
    }

    /// Fields of an OpenAI chat request that engines act on, passed on with the messages.
    static let engineRequestFields = ["tool_choice", "continue_final_message", "reasoning_effort", "response_format"]

    /// The chat request: `messages` and `tools` read exactly as the CLI reads a request file.
    func chatRequest() throws -> ChatRequest? {
        guard let messages = object["messages"], messages != .null else { return nil }
        guard case .array = messages else { throw ServiceError.badRequest("'messages' is \(messages.typeName), not an array") }
        var request: [(key: String, value: JSONValue)] = [("messages", messages)]
        if let tools = object["tools"] { request.append(("tools", tools)) }
        // The request fields an engine profile reads (the others are the service's own).
        for name in Self.engineRequestFields { if let value = object[name] { request.append((name, value)) } }
        return try ChatRequest.read(messagesJSON: JSONWriter.bytes(of: .object(request)))
    }

    /// The tools, when given without messages.
    func standaloneTools() throws -> [Value]? {
        guard !has("messages"), let tools = bytes("tools") else { return nil }
        return try ChatRequest.readTools(tools)
    }

    /// The names `chat_template_kwargs` sets (none when it is not an object).
    var templateKwargNames: [String] {
        guard case let .object(pairs)? = object["chat_template_kwargs"] else { return [] }
        return pairs.map(\.key)
    }

    /// Template variables: `chat_template_kwargs` (vLLM's name), as `--variable` gives them.
    func templateVariables() throws -> [String: Value] {
        switch object["chat_template_kwargs"] {
        case nil, .null?: return [:]
        case let .object(pairs)?:
            var variables: [String: Value] = [:]
            for pair in pairs { variables[pair.key] = Value(json: pair.value) }
            return variables
        case let other?: throw ServiceError.badRequest("'chat_template_kwargs' is \(other.typeName), not an object")
        }
    }
}
