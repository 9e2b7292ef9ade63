import KimiIO

/// What SGLang 0.5.23 makes of a chat request before the template renders it, reproduced from
/// its code and checked line by line against what it built (`../shared/engines/sglang-0.5.23`):
///
/// 1. **Validation.** The request is read into pydantic models: a user message needs string or
///    list content; a named `tool_choice` needs `tools` holding that tool, `required` needs
///    tools; on `/v1/tokenize`, `continue_final_message` needs `add_generation_prompt`. Every
///    assistant tool call's `arguments` string must parse as a JSON object.
/// 2. **Messages dumped.** A user message keeps `role` and `content` only (its `name` is lost);
///    another keeps `role`, `content`, `tool_call_id`, `name`, `reasoning_content`, `tool_calls`
///    (each call `id`, `index`, `type`, `function` with `name` and `arguments`, the arguments
///    parsed), then `null` fields are dropped; `null` content becomes `""`. Content parts are
///    rebuilt (`{"type": "text", "text"}`; an image becomes `{"type": "image"}`) and moved last
///    under the `openai` content format, or joined with a space under `string`; a tool result's
///    text parts are joined with a space either way.
/// 3. **The last message.** On chat completions, a final assistant message with string content
///    is cut off and spliced after the prompt (`continue_final_message`), or else becomes a
///    **user** message; `/v1/tokenize` only cuts it off for `continue_final_message`.
/// 4. **Tools and options.** Unless `tool_choice` is `none` (the default without tools), the
///    tools are dumped (`"defer_loading": null` added; a function missing `description` or
///    `parameters` gets them as `null`, after its own keys), only the named one for a named
///    choice. `reasoning_effort` and `chat_template_kwargs` become template variables, with
///    `thinking` and `enable_thinking` defaulting to whether the effort is not `none`. Chat
///    completions always add the generation prompt.
struct SGLangRequest {
    /// The messages the template sees, before the content format is applied.
    private(set) var messages: [Value.DictBox] = []
    /// The tools the template sees (`nil`: none are passed).
    private(set) var tools: [Value]?
    /// The template's keyword arguments besides `add_generation_prompt`.
    private(set) var variables: [String: Value] = [:]
    let addGenerationPrompt: Bool
    /// The endpoint's own way of handling a final assistant message.
    let endpoint: EngineRenderOptions.Endpoint
    let continueFinalMessage: Bool
    /// The codes of the steps applied (``SGLangEngine/steps``).
    let kept: Set<String>

    /// Reads `request` as SGLang does on `endpoint`, doing the steps in `kept`; throws SGLang's
    /// refusal.
    init(
        _ request: ChatRequest, endpoint: EngineRenderOptions.Endpoint, addGenerationPrompt: Bool, variables: [String: Value], kept: Set<String>
    ) throws {
        self.endpoint = endpoint
        self.kept = kept
        self.addGenerationPrompt = endpoint == .chat && kept.contains("engine-generation-prompt-forced") ? true : addGenerationPrompt
        continueFinalMessage = request.field("continue_final_message")?.isTruthy ?? false
        let model = endpoint == .chat ? "ChatCompletionRequest" : "TokenizeRequest"
        try Self.validateMessages(request.messages, model: model)
        let toolChoice = request.field("tool_choice") ?? .none
        try Self.validateToolChoice(toolChoice, tools: request.tools)
        if endpoint == .tokenize, continueFinalMessage, !addGenerationPrompt {
            throw KimiError(.refused, "continue_final_message needs add_generation_prompt to open the assistant turn.")
        }
        for message in request.messages {
            // Validation parses every assistant call's arguments, whichever steps are kept.
            let dumped = try Self.dumped(message, endpoint: endpoint)
            messages.append(
                try kept.contains("engine-content-normalized") ? Self.keepingUserName(dumped, message, kept) : Self.undumped(message, kept, endpoint))
        }
        tools = Self.templateTools(request.tools, toolChoice: toolChoice, endpoint: endpoint, kept: kept)
        self.variables = Self.templateVariables(request, variables: variables, kept: kept)
    }

    // MARK: Validation

    private static let genericRoles = ["system", "assistant", "tool", "function", "developer", "latest_reminder", "root"]

    /// pydantic's answer to user messages without string or list content (the first of the
    /// errors it lists; three per such message).
    private static func validateMessages(_ messages: [Value], model: String) throws {
        let invalid = messages.indices.filter { index in
            guard let view = MessageView(messages[index]), view.role == "user" else { return false }
            switch view.content {
            case .string?, .list?: return false
            default: return true
            }
        }
        guard let first = invalid.first else { return }
        throw KimiError(
            .refused,
            "validation: ValidationError: \(3 * invalid.count) validation errors for \(model)\nmessages.\(first).function-after[validate_thinking_parts_role(), ChatCompletionMessageGenericParam].role\n  Value error, 'role' must be one of \(genericRoles.map { "'\($0)'" }.joined(separator: ", ")) (case-insensitive). [type=value_error, input_value='user', input_type=str]\n    For further information visit https://errors.pydantic.dev/2.14/v/value_error"
        )
    }

    /// SGLang's refusal of `choice` with `tools`: a named tool that is not declared, or
    /// `required` without tools.
    static func validateToolChoice(_ choice: Value, tools: [Value]?) throws {
        let names = (tools ?? []).compactMap { tool -> String? in
            guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return nil }
            return function[.name]?.stringValue
        }
        let hasTools = !(tools ?? []).isEmpty
        if case let .dict(box) = choice {
            guard hasTools else { throw KimiError(.refused, "Tools cannot be empty if tool choice is set to a specific tool.") }
            let function: Value.DictBox? = if case let .dict(function)? = box[.function] { function } else { nil }
            let name = function?[.name]?.pythonString ?? "None"
            if !names.contains(name) { throw KimiError(.refused, "Tool '\(name)' not found in tools list.") }
        } else if choice.stringValue == "required", !hasTools {
            throw KimiError(.refused, "Tools cannot be empty if tool choice is set to required.")
        }
    }

    // MARK: Messages

    /// The dumped message, with a user's `name` put back when that step is not kept.
    private static func keepingUserName(_ dumped: Value.DictBox, _ message: Value, _ kept: Set<String>) -> Value.DictBox {
        guard !kept.contains("engine-user-name-dropped"), let view = MessageView(message), view.role == "user", let name = view.fields[.name] else {
            return dumped
        }
        dumped[.name] = name
        return dumped
    }

    /// The message as sent, with only the kept steps of the dump: the user's `name` dropped, the
    /// arguments parsed.
    private static func undumped(_ message: Value, _ kept: Set<String>, _ endpoint: EngineRenderOptions.Endpoint) throws -> Value.DictBox {
        guard case let .dict(original) = message else { return Value.DictBox() }
        let box = Value.DictBox(Array(original.pairs))
        if kept.contains("engine-user-name-dropped"), MessageView(message)?.role == "user" { box[.name] = nil }
        if kept.contains("engine-arguments-reserialized"), MessageView(message)?.role == "assistant", case let .list(calls)? = box[.toolCalls] {
            box[.toolCalls] = .list(
                try calls.items.map { call in
                    guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function], case let .string(text)? = function[.arguments]
                    else { return call }
                    let newFunction = Value.DictBox(Array(function.pairs))
                    newFunction[.arguments] = try parsedArguments(text, endpoint: endpoint)
                    let newCall = Value.DictBox(Array(callBox.pairs))
                    newCall[.function] = .dict(newFunction)
                    return .dict(newCall)
                })
        }
        return box
    }

    /// The message as pydantic dumps it, its tool-call arguments parsed.
    private static func dumped(_ message: Value, endpoint: EngineRenderOptions.Endpoint) throws -> Value.DictBox {
        guard let view = MessageView(message) else { return Value.DictBox() }
        let role = (view.role ?? "").lowercased()
        if role == "user" {
            return Value.DictBox([(.string("role"), .string("user")), (.string("content"), view.content ?? .none)])
        }
        let box = Value.DictBox([(.string("role"), .string(role))])
        box[.content] = view.content ?? Value.none
        box[.toolCallID] = view.fields[.toolCallID] ?? Value.none
        box[.name] = view.fields[.name] ?? Value.none
        box[.reasoningContent] = view.reasoningContent ?? Value.none
        if let calls = view.toolCallList {
            box[.toolCalls] = .list(try calls.map { try dumpedCall($0, assistant: role == "assistant", endpoint: endpoint) })
        } else {
            box[.toolCalls] = Value.none
        }
        return box
    }

    private static func dumpedCall(_ call: Value, assistant: Bool, endpoint: EngineRenderOptions.Endpoint) throws -> Value {
        let view = ToolCallView(call)
        let function = view?.function
        var arguments = function?[.arguments] ?? .none
        if assistant, case let .string(text) = arguments { arguments = try parsedArguments(text, endpoint: endpoint) }
        let dumpedFunction = Value.DictBox([(.string("name"), function?[.name] ?? .none), (.string("arguments"), arguments)])
        return .dict(
            Value.DictBox([
                (.string("id"), view?.fields[.id] ?? .none), (.string("index"), view?.fields[.string("index")] ?? .none),
                (.string("type"), .string("function")), (.string("function"), .dict(dumpedFunction)),
            ]))
    }

    /// `orjson.loads` of the arguments, which must give an object.
    private static func parsedArguments(_ text: String, endpoint: EngineRenderOptions.Endpoint) throws -> Value {
        let prefix = endpoint == .chat ? "400 BadRequest: " : ""
        guard let parsed = try? JSONReader.parse(Array(text.utf8), strict: true) else {
            throw KimiError(.refused, prefix + "Assistant tool call function.arguments must be valid JSON.")
        }
        guard case .object = parsed else {
            throw KimiError(.refused, prefix + "Assistant tool call function.arguments must be a JSON object.")
        }
        return Value(json: parsed)
    }

    /// The messages as the template sees them under `format`, with the final assistant message
    /// handled as the endpoint handles it; and the text spliced after the prompt, if any.
    func templateMessages(_ format: ContentFormat) -> (messages: [Value], continuation: String?) {
        var result = kept.contains("engine-content-normalized") ? messages.map { Self.processed($0, format) } : messages.map { Value.dict($0) }
        var continuation: String?
        if let last = result.last.flatMap(MessageView.init), last.role == "assistant", case let .string(text)? = last.content {
            if continueFinalMessage {
                if kept.contains("engine-final-message-spliced") {
                    continuation = text
                    result.removeLast()
                }
            } else if endpoint == .chat, kept.contains("engine-user-turn-rewrite") {
                result[result.count - 1] = .dict(Value.DictBox([(.string("role"), .string("user")), (.string("content"), .string(text))]))
            }
        }
        return (result, continuation.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `process_content_for_template_format`, then a tool result's text parts joined.
    private static func processed(_ message: Value.DictBox, _ format: ContentFormat) -> Value {
        let content = message[.content].flatMap { $0.isNone ? nil : $0 } ?? .string("")
        var pairs: [(Value, Value)] = []
        guard case let .list(parts) = content else {
            for (key, value) in message.pairs {
                let kept = key.stringValue == "content" ? content : value
                if !kept.isNone { pairs.append((key, kept)) }
            }
            return .dict(Value.DictBox(pairs))
        }
        var newContent: Value
        if format == .openai {
            var rebuilt: [Value] = []
            for part in parts.items {
                guard case let .dict(box) = part, let type = box[.type]?.stringValue else { continue }
                switch type {
                case "image_url", "input_image": rebuilt.append(.dict(Value.DictBox([(.string("type"), .string("image"))])))
                case "video_url": rebuilt.append(.dict(Value.DictBox([(.string("type"), .string("video"))])))
                case "audio_url": rebuilt.append(.dict(Value.DictBox([(.string("type"), .string("audio"))])))
                case "text", "input_text": rebuilt.append(.dict(Value.DictBox([(.string("type"), .string("text")), (.string("text"), box[.text] ?? .none)])))
                default: break
                }
            }
            newContent = .list(rebuilt)
        } else {
            let texts = parts.items.compactMap { part -> String? in
                guard case let .dict(box) = part, let type = box[.type]?.stringValue, type == "text" || type == "input_text" else { return nil }
                return box[.text]?.pythonString
            }
            newContent = .string(texts.joined(separator: " "))
        }
        if message[.role]?.stringValue == "tool", case let .list(rebuilt) = newContent, rebuilt.items.allSatisfy(Self.isTextPart) {
            newContent = .string(
                rebuilt.items.map { part in
                    if case let .dict(box) = part { return box[.text]?.pythonString ?? "" }
                    return part.pythonString
                }.joined(separator: " "))
        }
        if format == .openai {
            for (key, value) in message.pairs where !value.isNone && key.stringValue != "content" { pairs.append((key, value)) }
            pairs.append((.string("content"), newContent))
        } else {
            for (key, value) in message.pairs where !value.isNone { pairs.append((key, key.stringValue == "content" ? newContent : value)) }
        }
        return .dict(Value.DictBox(pairs))
    }

    /// A text part, or a bare string, as `normalize_tool_content` counts them.
    private static func isTextPart(_ part: Value) -> Bool {
        if case let .dict(box) = part { return box[.type]?.stringValue == "text" }
        return part.stringValue != nil
    }

    // MARK: Tools and variables

    private static func templateTools(_ tools: [Value]?, toolChoice: Value, endpoint: EngineRenderOptions.Endpoint, kept: Set<String>) -> [Value]? {
        guard let tools, !tools.isEmpty else { return nil }
        let choice = toolChoice.isNone || !kept.contains("engine-tool-choice-filter") ? Value.string("auto") : toolChoice
        if choice.stringValue == "none" { return nil }
        var keptTools = tools
        if case let .dict(box) = choice, case let .dict(function)? = box[.function] {
            let name = function[.name]?.stringValue
            keptTools = tools.filter { tool in
                guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return false }
                return function[.name]?.stringValue == name
            }
        }
        return keptTools.map { kept.contains("engine-tool-declaration-nulls") ? dumpedTool($0, endpoint: endpoint) : $0 }
    }

    /// `Tool.model_dump()` as 0.5.23 writes it: on chat completions the function keeps its keys
    /// in their order and gains a missing `description` or `parameters` as `null`; on
    /// `/v1/tokenize` its keys that are not `null` come first, then `description` and
    /// `parameters` when they are `null` or missing.
    private static func dumpedTool(_ tool: Value, endpoint: EngineRenderOptions.Endpoint) -> Value {
        guard case let .dict(box) = tool else { return tool }
        var functionPairs: [(Value, Value)] = []
        if case let .dict(function)? = box[.function] {
            let optional = ["description", "parameters"]
            switch endpoint {
            case .chat:
                functionPairs = Array(function.pairs)
                for key in optional where function[.string(key)] == nil { functionPairs.append((.string(key), .none)) }
            case .tokenize:
                functionPairs = function.pairs.filter { !$0.1.isNone }
                for key in optional where function[.string(key)]?.isNone ?? true { functionPairs.append((.string(key), .none)) }
            }
        }
        return .dict(
            Value.DictBox([
                (.string("type"), box[.type] ?? .string("function")), (.string("function"), .dict(Value.DictBox(functionPairs))),
                (.string("defer_loading"), .none),
            ]))
    }

    private static func templateVariables(_ request: ChatRequest, variables: [String: Value], kept: Set<String>) -> [String: Value] {
        var result: [String: Value] = [:]
        let effort = kept.contains("engine-reasoning-effort-kwarg") ? request.field("reasoning_effort").flatMap { $0.isNone ? nil : $0 } : nil
        if let effort { result["reasoning_effort"] = effort }
        var kwargs = variables
        if kwargs.isEmpty { kwargs = request.templateKwargs }
        for (key, value) in kwargs { result[key] = value }
        if let effort {
            let thinking = Value.bool(effort.stringValue != "none")
            if result["thinking"] == nil { result["thinking"] = thinking }
            if result["enable_thinking"] == nil { result["enable_thinking"] = thinking }
        }
        return result
    }
}
