import KimiChatTemplate
import KimiIO

/// The response side of a chat completion, as OpenAI-compatible servers return it: one JSON
/// response (`choices[i].message` with `content`, `reasoning_content` and `tool_calls`), or a
/// Server-Sent Events stream of chunks whose `choices[i].delta` carry pieces of them (tool calls
/// by `index`, their `arguments` in fragments), assembled here.
public enum CompletionResponse {
    /// What one choice said.
    public struct Choice: Sendable {
        public var content = ""
        public var reasoning: String?
        public var calls: [(id: String, name: String, arguments: String)] = []
        /// Why generation stopped (`finish_reason`), when the response says.
        public var finishReason: String?
    }

    /// The choices of `bytes` when it is a chat-completion response or stream; `nil` otherwise.
    public static func choices(_ bytes: [UInt8]) -> [Choice]? {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.hasPrefix("data:") { return stream(text) }
        guard trimmed.hasPrefix("{"), let value = try? JSONReader.parse(bytes) else { return nil }
        return choices(object: value)
    }

    /// The choices of a chat-completion object; `nil` when it has no `choices` array of messages.
    public static func choices(object value: JSONValue) -> [Choice]? {
        guard case let .array(choices)? = value["choices"] else { return nil }
        var result: [Choice] = []
        for choice in choices {
            guard let message = choice["message"] else { return nil }
            var parsed = Choice()
            if case let .string(reason)? = choice["finish_reason"] { parsed.finishReason = reason }
            if case let .string(content)? = message["content"] { parsed.content = content }
            if case let .string(reasoning)? = message["reasoning_content"] ?? message["reasoning"] { parsed.reasoning = reasoning }
            if case let .array(calls)? = message["tool_calls"] {
                for call in calls {
                    parsed.calls.append((string(call["id"]), string(call["function"]?["name"]), arguments(call["function"]?["arguments"])))
                }
            }
            result.append(parsed)
        }
        return result
    }

    /// Chunks of an SSE stream (`data: {...}` lines, `data: [DONE]` at the end), assembled per choice.
    public static func stream(_ text: String) -> [Choice]? {
        var choices: [Int: Choice] = [:]
        var calls: [Int: [Int: (id: String, name: String, arguments: String)]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("data:") else { continue }
            let payload = line.dropFirst(5).drop { $0 == " " }
            if payload == "[DONE]" { break }
            guard let chunk = try? JSONReader.parse(Array(payload.utf8)), case let .array(list)? = chunk["choices"] else { continue }
            for choice in list {
                let index = integer(choice["index"]) ?? 0
                var current = choices[index] ?? Choice()
                if case let .string(reason)? = choice["finish_reason"] { current.finishReason = reason }
                guard let delta = choice["delta"] else {
                    choices[index] = current
                    continue
                }
                if case let .string(content)? = delta["content"] { current.content += content }
                if case let .string(reasoning)? = delta["reasoning_content"] ?? delta["reasoning"] { current.reasoning = (current.reasoning ?? "") + reasoning }
                if case let .array(deltas)? = delta["tool_calls"] {
                    for (position, call) in deltas.enumerated() {
                        let callIndex = integer(call["index"]) ?? position
                        var entry = calls[index]?[callIndex] ?? ("", "", "")
                        if case let .string(id)? = call["id"] { entry.id = id }
                        if case let .string(name)? = call["function"]?["name"] { entry.name += name }
                        if case let .string(piece)? = call["function"]?["arguments"] { entry.arguments += piece }
                        calls[index, default: [:]][callIndex] = entry
                    }
                }
                choices[index] = current
            }
        }
        guard !choices.isEmpty else { return nil }
        return choices.keys.sorted().map { index in
            var choice = choices[index] ?? Choice()
            choice.calls = (calls[index] ?? [:]).keys.sorted().compactMap { calls[index]?[$0] }
            return choice
        }
    }

    private static func string(_ value: JSONValue?) -> String {
        if case let .string(text)? = value { return text }
        return ""
    }

    /// Arguments as a string: a string as is, an object as compact JSON.
    private static func arguments(_ value: JSONValue?) -> String {
        switch value {
        case let .string(text)?: return text
        case let value?: return (try? Value(json: value).compactJSON()) ?? ""
        case nil: return ""
        }
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case let .int(number)? = value { return number }
        return nil
    }
}
