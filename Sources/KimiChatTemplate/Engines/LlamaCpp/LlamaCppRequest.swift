import KimiIO

/// What `llama-server --jinja` makes of a chat request before its template runs
/// (`oaicompat_chat_params_parse`, build 11434), checked against what it built
/// (`../shared/engines/llama.cpp/kimi-k2-chat.jsonl`):
///
/// 1. **Messages re-written** from llama.cpp's own message type: `content` a string, or a list of
///    `{"type": "text", "text"}` parts; `null` or absent content becomes `""`; tool calls keep
///    `type`, `function` (`name`, `arguments`) and `id`.
/// 2. **Arguments as objects**, when the template takes them (``LlamaCppTemplateCaps``): every
///    arguments string is parsed as JSON; one that is empty or not JSON refuses the request
///    (HTTP 500, nlohmann's parse error).
/// 3. **Assistant prefill**: a request ending in an assistant message is continued: the message
///    is taken off, the template renders without the generation prompt, and the handler's
///    prefill (the generation prompt, `<think></think>` for the Kimi K2 handler) and the
///    message's text (its text parts, a blank line before each once there is text) are appended, with no
///    end marker. A `null` or `""` content appends nothing at all (a list of empty parts still
///    appends the prefill).
/// 4. **Tools** re-written as `{"type": "function", "function": {"name", "description",
///    "parameters"}}`.
struct LlamaCppRequest {
    let messages: [Value]
    let tools: [Value]?
    /// The continued assistant message's text, when the request ends in one; `nil` also when
    /// it ends in one that is dropped (see ``dropsFinalMessage``).
    let prefill: String?
    /// Whether a final assistant message was taken off (continued or dropped).
    let dropsFinalMessage: Bool

    init(_ request: ChatRequest, caps: LlamaCppTemplateCaps, kept: Set<String>) throws {
        var messages = try request.messages.map { try Self.rewritten($0, caps: caps, kept: kept) }
        var prefill: String?
        var drops = false
        if kept.contains(LlamaCppEngine.prefillStep), let last = messages.last.flatMap(MessageView.init), last.role == "assistant" {
            prefill = Self.text(of: request.messages.last.flatMap(MessageView.init)?.content)
            messages.removeLast()
            drops = true
        }
        self.messages = messages
        self.prefill = prefill
        dropsFinalMessage = drops
        tools = request.tools.map { $0.map(Self.rewrittenTool) }
    }

    private static func rewritten(_ message: Value, caps: LlamaCppTemplateCaps, kept: Set<String>) throws -> Value {
        guard case let .dict(original) = message, let view = MessageView(message) else { return message }
        let box = Value.DictBox(Array(original.pairs))
        if kept.contains(LlamaCppEngine.nullContentStep), view.content == nil || view.content?.isNone == true { box[.content] = .string("") }
        if case let .list(parts)? = view.content {
            box[.content] = .list(
                parts.items.map { part in
                    guard case let .dict(partBox) = part, partBox[.type]?.stringValue == "text" else { return part }
                    return .dict(Value.DictBox([(.string("type"), .string("text")), (.string("text"), partBox[.text] ?? .string(""))]))
                })
        }
        if caps.objectArguments, kept.contains(LlamaCppEngine.argumentsStep), case let .list(calls)? = box[.toolCalls] {
            box[.toolCalls] = .list(try calls.items.map(parsedArguments))
        }
        return .dict(box)
    }

    /// The call with its arguments string parsed (`func_args_not_string`).
    private static func parsedArguments(_ call: Value) throws -> Value {
        guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function], case let .string(text)? = function[.arguments] else {
            return call
        }
        guard let parsed = try? JSONReader.parse(Array(text.utf8), strict: true) else {
            throw KimiError(.refused, "Failed to parse tool call arguments as JSON: " + NlohmannParseError.message(for: text))
        }
        let newFunction = Value.DictBox(Array(function.pairs))
        newFunction[.arguments] = Value(json: parsed)
        let newCall = Value.DictBox(Array(callBox.pairs))
        newCall[.function] = .dict(newFunction)
        return .dict(newCall)
    }

    /// A message's text as the prefill continues it: a non-empty string, or the text parts, each
    /// after a blank line once there is text; `nil` for `null` or `""`.
    private static func text(of content: Value?) -> String? {
        switch content {
        case let .string(text)?: return text.isEmpty ? nil : text
        case let .list(parts)?:
            var joined = ""
            for part in parts.items {
                guard case let .dict(box) = part, box[.type]?.stringValue == "text", let text = box[.text]?.stringValue else { continue }
                if !joined.isEmpty { joined += "\n\n" }
                joined += text
            }
            return joined
        default: return nil
        }
    }

    private static func rewrittenTool(_ tool: Value) -> Value {
        guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return tool }
        return .dict(
            Value.DictBox([
                (.string("type"), .string("function")),
                (
                    .string("function"),
                    .dict(
                        Value.DictBox([
                            (.string("name"), function[.name] ?? .string("")),
                            (.string("description"), function[.string("description")] ?? .string("")),
                            (.string("parameters"), function[.string("parameters")] ?? .dict(Value.DictBox())),
                        ]))
                ),
            ]))
    }
}

/// The message of nlohmann::json's first parse error, as llama.cpp reports it: the two the
/// recordings hold (empty input; a value that starts with no JSON token), and for other input
/// the position of the first character that is not JSON.
enum NlohmannParseError {
    static func message(for text: String) -> String {
        let prefix = "[json.exception.parse_error.101] parse error at line 1, column "
        let scalars = Array(text.unicodeScalars)
        let start = scalars.firstIndex { !" \t\n\r".unicodeScalars.contains($0) }
        guard let start else {
            return prefix + "\(scalars.count + 1): attempting to parse an empty input; check that your input string or stream contains the expected JSON"
        }
        let first = scalars[start]
        if !"{[\"-0123456789tfn".unicodeScalars.contains(first) {
            return prefix + "\(start + 1): syntax error while parsing value - invalid literal; last read: '\(String(first))'"
        }
        return prefix + "1: syntax error while parsing value - unexpected input"
    }
}
