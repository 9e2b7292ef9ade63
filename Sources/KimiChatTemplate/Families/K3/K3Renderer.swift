import KimiIO
import KimiTokenizer

/// Kimi K3's prompt: no Jinja, but XTML segments built as its tokenizer class builds them
/// (`build_chat_segments`), each `(text, special)`, to be encoded one by one
/// (``KimiTokenizer/encode(segments:)``).
///
/// Control segments are the markers `<|open|>`, `<|close|>`, `<|sep|>`, `<|end_of_msg|>` (and
/// image prompts); everything written by a user, a tool or the request is a text segment, so a
/// special-token string in it stays text. A message is
/// `<|open|>message role="…"<|sep|> … <|close|>message<|sep|><|end_of_msg|>`, attribute names and
/// values each their own segment (values with `&` and `"` escaped). Values are printed as Python
/// prints them (`str()`), because the reference is Python.
///
/// Options (the tokenizer class's keyword arguments, `--variable`): `thinking` (default true),
/// `thinking_effort` (default `max`; `low`, `high` or `max`, or `null` for no directive),
/// `tool_choice` (`required`, `none`), `response_format` (`json_object`, `json_schema` with a
/// schema), `response_schema`, `image_prompts` (one control text per image, in order).
/// Tool results are put in the order of the calls they answer; tool-call arguments are parsed
/// (typed `argument` elements, or a `json` block for text that is not JSON).
public enum K3Renderer {
    /// The elements the builder writes, `<|open|>NAME …<|sep|>` to `<|close|>NAME<|sep|>`.
    package enum XTMLElement: String, CaseIterable, Sendable {
        case message, think, response, tools, call, argument, json
    }

    /// The control tokens of an XTML prompt, by name.
    package static let open = "<|open|>", close = "<|close|>", sep = "<|sep|>", endOfMessage = "<|end_of_msg|>"
    package static let markers = [open, close, sep, endOfMessage]
    static let imagePlaceholder = "<|kimi_image_placeholder|>"
    static let thinkingEfforts: Set<String> = ["low", "high", "max"]

    static let toolsHeader = "# Tools\nHere are the available tools, described in JSONSchema.\n\n"
    static let dynamicToolsHeader =
        "## New Tools Available\nThe system dynamically extends the toolset via lazy-loading.\nYou have access to all existing and extended tools.\nHere are the specs for the extended tools.\n\n"
    static let effortBody =
        "`thinking_effort` guides on how much to think in your thinking channel (not including the response channel), supported values include `low`, `medium`, `high`, and `max`.\nNow the system is invoked with `thinking_effort="
    static let toolChoiceBodies = [
        "required": "The system is invoked with `tool_choice=required`.\nYou MUST call tools in the next message.",
        "none": "The system is invoked with `tool_choice=none`.\nYou MUST NOT call any tools in the next message.",
    ]
    static let rawJSONRule = "Your response must be raw JSON data without markdown code blocks (```json) or any additional formatting."

    /// The segments of `request` with the tokenizer class's defaults and `variables` applied.
    public static func segments(
        _ request: ChatRequest, addGenerationPrompt: Bool = true, variables: [String: Value] = [:]
    ) throws
        -> [PromptSegment]
    {
        var builder = Builder(imagePrompts: try imagePrompts(variables["image_prompts"]))
        let thinking = (variables["thinking"] ?? .bool(true)).isTruthy
        let effort = variables["thinking_effort"] ?? .string("max")
        var responseSchema = variables["response_schema"]
        if variables["response_schema"] == nil, let schema = schema(of: variables["response_format"]) { responseSchema = schema }
        if let schema = responseSchema, !schema.isNone { responseSchema = ToolDeclarationTS.sortingKeysDeep(schema) }

        let messages = try normalized(reorderingToolResults(request.messages))
        if let tools = request.tools.map({ Value.list($0.map(ToolDeclarationTS.sortingKeysDeep)) }), tools.isTruthy {
            try builder.toolDeclaration(tools, dynamic: false)
        }
        if thinking, !effort.isNone {
            guard case let .string(name) = effort, thinkingEfforts.contains(name) else {
                throw KimiError(.refused, "unsupported thinking_effort=\(effort.pythonRepr); use low, high or max")
            }
            builder.notice("thinking-effort", effortBody + name + "`.")
        }
        var lastCalls: [Value]?
        var toolNumber = 0
        for (index, message) in messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            switch box[.role]?.pythonString {
            case "user":
                try builder.plainMessage("user", box, index: index)
            case "system":
                if let tools = box[.tools], tools.isTruthy {
                    try builder.toolDeclaration(tools, dynamic: true)
                } else {
                    try builder.plainMessage("system", box, index: index)
                }
            case "tool":
                toolNumber += 1
                var name = box[.tool] ?? box[.name] ?? .none
                if name.isNone, let calls = lastCalls, toolNumber <= calls.count {
                    name = try functionName(calls[toolNumber - 1], message: index)
                }
                if name.isNone {
                    throw KimiError(.refused, "message \(index) (tool) has no 'tool' or 'name' and matches no earlier assistant tool call by position")
                }
                builder.tagOpen(.message, [("role", .string("tool")), ("tool", name), ("index", .int(toolNumber))])
                try builder.content(box[.content], message: index)
                builder.tagClose(.message)
                builder.put(endOfMessage, special: true)
            case "assistant":
                if case let .list(calls)? = box[.toolCalls] { lastCalls = calls.items } else { lastCalls = nil }
                toolNumber = 0
                try builder.assistantMessage(box, index: index, thinking: thinking)
            default:
                continue
            }
        }
        if let choice = variables["tool_choice"], case let .string(name) = choice, let body = toolChoiceBodies[name] {
            builder.notice("tool-choice", body)
        }
        var formatType = variables["response_format"]
        if case let .dict(format)? = formatType { formatType = format[.type] ?? formatType }
        if formatType?.isString("json_object") == true {
            builder.notice("response-format", "The system is invoked with `response_format=json_object`.\n" + rawJSONRule)
        } else if formatType?.isString("json_schema") == true {
            let schemaText = try (responseSchema ?? .none).compactJSON()
            builder.notice(
                "response-format",
                "The system is invoked with `response_format=json_schema`.\n" + rawJSONRule
                    + "\nThe JSON data must match the following schema:\n```json\n\(schemaText)\n```")
        }
        if addGenerationPrompt { builder.generationPrompt(thinking: thinking) }
        try builder.images.finish()
        return builder.segments
    }

    /// The generation prompt: the assistant message opened, then its `think` channel (thinking)
    /// or its `response` channel (not).
    public static func generationPrompt(thinking: Bool) -> [PromptSegment] {
        var builder = Builder(imagePrompts: nil)
        builder.generationPrompt(thinking: thinking)
        return builder.segments
    }

    // MARK: Options

    private static func imagePrompts(_ value: Value?) throws -> [Value]? {
        switch value {
        case nil, .none?: return nil
        case let .list(items)?: return items.items
        case let .string(text)?: return text.unicodeScalars.map { .string(String($0)) }
        case let other?: throw KimiError(.refused, "image_prompts is \(other.typeName), not a list")
        }
    }

    /// The schema inside a `response_format` (`{"json_schema": {"schema": ...}}` and its variants).
    private static func schema(of format: Value?) -> Value? {
        guard case let .dict(box)? = format, let inner = box[.string("json_schema")], !inner.isNone else { return nil }
        guard case let .dict(innerBox) = inner else { return inner }
        return innerBox[.string("schema")] ?? innerBox[.string("json_schema")] ?? inner
    }

    // MARK: Normalisation

    private static func functionName(_ call: Value, message: Int) throws -> Value {
        guard case let .dict(box) = call else { throw KimiError(.refused, "message \(message): a tool call is \(call.typeName), not an object") }
        let holder = box[.function] ?? call
        guard case let .dict(function) = holder, let name = function[.name] else {
            throw KimiError(.refused, "message \(message): a tool call has no function 'name'")
        }
        return name
    }

    /// Every run of tool results put in the order of the calls they answer (when every result
    /// of the run answers a call of the last assistant message), each named after its call.
    static func reorderingToolResults(_ messages: [Value]) -> [Value] {
        var result: [Value] = []
        var positions: [String: (Int, Value?)] = [:]
        var index = 0
        func isToolResult(_ message: Value) -> Bool {
            if case let .dict(box) = message { return box[.role]?.isString("tool") == true }
            return false
        }
        while index < messages.count {
            let message = messages[index]
            guard isToolResult(message) else {
                if case let .dict(box) = message, box[.role]?.isString("assistant") == true {
                    positions = [:]
                    if case let .list(calls)? = box[.toolCalls] {
                        for (offset, call) in calls.items.enumerated() {
                            guard case let .dict(callBox) = call, let id = callBox[.id], !id.isNone else { continue }
                            let key = id.pythonString
                            if positions[key] != nil { continue }
                            let function = callBox[.function]
                            if case let .dict(functionBox)? = function {
                                positions[key] = (offset + 1, functionBox[.name])
                            } else {
                                positions[key] = (offset + 1, callBox[.name])
                            }
                        }
                    }
                }
                result.append(message)
                index += 1
                continue
            }
            let start = index
            while index < messages.count, isToolResult(messages[index]) { index += 1 }
            let run = Array(messages[start..<index])
            var keyed: [(position: Int, offset: Int, name: Value?, item: Value)] = []
            var complete = true
            for (offset, item) in run.enumerated() {
                guard case let .dict(box) = item else { complete = false; continue }
                let callID = box[.toolCallID] ?? box[.id]
                guard let callID, !callID.isNone, let hit = positions[callID.pythonString] else {
                    complete = false
                    continue
                }
                keyed.append((hit.0, offset, hit.1, item))
            }
            guard complete else {
                result += run
                continue
            }
            keyed.sort { ($0.position, $0.offset) < ($1.position, $1.offset) }
            for entry in keyed {
                guard let name = entry.name, !name.isNone, case let .dict(box) = entry.item else {
                    result.append(entry.item)
                    continue
                }
                let renamed = Value.DictBox(Array(box.pairs))
                renamed[.tool] = name
                if renamed[.name] != nil { renamed[.name] = name }
                result.append(.dict(renamed))
            }
        }
        return result
    }

    /// Tools of system messages key-sorted; tool-call arguments parsed (a JSON object string to
    /// its value, text that is not JSON kept as a `json` block).
    static func normalized(_ messages: [Value]) throws -> [Value] {
        try messages.enumerated().map { index, message in
            guard case let .dict(box) = message else { return message }
            let result = Value.DictBox(Array(box.pairs))
            if let tools = box[.tools], !tools.isNone { result[.tools] = ToolDeclarationTS.sortingKeysDeep(tools) }
            guard let calls = box[.toolCalls], calls.isTruthy else { return .dict(result) }
            guard case let .list(list) = calls else {
                throw KimiError(.refused, "message \(index): tool_calls is \(calls.typeName), not a list")
            }
            result[.toolCalls] = .list(
                try list.items.map { call in
                    guard case let .dict(callBox) = call else { return call }
                    let newCall = Value.DictBox(Array(callBox.pairs))
                    let holder: Value.DictBox
                    if case let .dict(function)? = callBox[.function] {
                        holder = Value.DictBox(Array(function.pairs))
                        newCall[.function] = .dict(holder)
                    } else {
                        holder = newCall
                    }
                    let (arguments, block) = try parseArguments(holder[.arguments] ?? .none, message: index)
                    holder[.arguments] = arguments
                    holder[.string("_xtml_json_block")] = block
                    return .dict(newCall)
                })
            return .dict(result)
        }
    }

    private static func parseArguments(_ raw: Value, message: Int) throws -> (Value, Value?) {
        switch raw {
        case .none: return (.dict([]), nil)
        case .dict: return (raw, nil)
        case let .string(text):
            if text.unicodeScalars.allSatisfy(StringMethods.isPythonSpace) { return (.dict([]), nil) }
            guard let value = try? JSONReader.parseValue(Array(text.utf8)) else { return (.dict([]), raw) }
            guard case .dict = value else {
                throw KimiError(.refused, "message \(message): tool call arguments must be a JSON object, not \(value.typeName)")
            }
            return (value, nil)
        default:
            throw KimiError(.refused, "message \(message): tool call arguments must be an object or a JSON object string, not \(raw.typeName)")
        }
    }

    // MARK: Building

    /// Hands out image prompts for image parts and placeholders, in order.
    struct Images {
        let prompts: [Value]?
        var used = 0

        mutating func take() throws -> Value {
            guard let prompts else { return .string(K3Renderer.imagePlaceholder) }
            guard used < prompts.count else { throw KimiError(.refused, "more images / image placeholders than image_prompts") }
            used += 1
            return prompts[used - 1]
        }

        func finish() throws {
            if let prompts, used != prompts.count {
                throw KimiError(.refused, "\(prompts.count) image_prompts given, \(used) used")
            }
        }
    }

    struct Builder {
        var segments: [PromptSegment] = []
        var images: Images

        init(imagePrompts: [Value]?) { images = Images(prompts: imagePrompts) }

        /// Appends `text` unless it is empty.
        mutating func put(_ text: String, special: Bool = false) {
            if !text.isEmpty { segments.append(PromptSegment(text: text, special: special)) }
        }

        mutating func tagOpen(_ element: XTMLElement, _ attributes: [(String, Value)]) {
            put(K3Renderer.open, special: true)
            put(element.rawValue)
            for (key, value) in attributes {
                let escaped = value.pythonString.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                put(" " + key)
                put("=\"")
                put(escaped)
                put("\"")
            }
            put(K3Renderer.sep, special: true)
        }

        mutating func generationPrompt(thinking: Bool) {
            tagOpen(.message, [("role", .string("assistant"))])
            tagOpen(thinking ? .think : .response, [])
        }

        mutating func tagClose(_ element: XTMLElement) {
            put(K3Renderer.close, special: true)
            put(element.rawValue)
            put(K3Renderer.sep, special: true)
        }

        /// Text, with image prompts for the image placeholders in it when prompts are given.
        mutating func text(_ value: Value) throws {
            let text = value.pythonString
            guard !text.isEmpty else { return }
            guard images.prompts != nil, text.contains(K3Renderer.imagePlaceholder) else {
                put(text)
                return
            }
            for (index, piece) in text.components(separatedBy: K3Renderer.imagePlaceholder).enumerated() {
                if index > 0 { put(try images.take().pythonString, special: true) }
                put(piece)
            }
        }

        mutating func content(_ content: Value?, message: Int) throws {
            switch content {
            case nil, .none?: return
            case let .string(text)?: try self.text(.string(text))
            case let .list(parts)?:
                for (partIndex, part) in parts.items.enumerated() {
                    guard case let .dict(box) = part, let type = box[.type] else {
                        throw KimiError(.refused, "message \(message) content part \(partIndex) has no 'type'")
                    }
                    if type.isString("image") || type.isString("image_url") {
                        put(try images.take().pythonString, special: true)
                    } else {
                        guard let text = box[.text] else {
                            throw KimiError(.refused, "message \(message) content part \(partIndex) has no 'text'")
                        }
                        try self.text(text)
                    }
                }
            case let other?:
                throw KimiError(.refused, "message \(message) content is \(other.typeName)")
            }
        }

        mutating func notice(_ kind: String, _ body: String) {
            tagOpen(.message, [("role", .string("system")), ("type", .string(kind))])
            put(StringMethods.pythonStripped(body))
            tagClose(.message)
            put(K3Renderer.endOfMessage, special: true)
        }

        mutating func toolDeclaration(_ tools: Value, dynamic: Bool) throws {
            let body = (dynamic ? K3Renderer.dynamicToolsHeader : K3Renderer.toolsHeader) + "```json\n" + (try tools.compactJSON()) + "\n```"
            tagOpen(.message, [("role", .string("system")), ("type", .string("tool-declare"))])
            put(body)
            tagClose(.message)
            put(K3Renderer.endOfMessage, special: true)
        }

        private static func attributes(_ role: String, _ box: Value.DictBox) -> [(String, Value)] {
            var attributes: [(String, Value)] = [("role", .string(role))]
            if let name = box[.name], name.isTruthy { attributes.append(("name", name)) }
            return attributes
        }

        mutating func plainMessage(_ role: String, _ box: Value.DictBox, index: Int) throws {
            tagOpen(.message, Self.attributes(role, box))
            try content(box[.content], message: index)
            tagClose(.message)
            put(K3Renderer.endOfMessage, special: true)
        }

        mutating func assistantMessage(_ box: Value.DictBox, index: Int, thinking: Bool) throws {
            tagOpen(.message, Self.attributes("assistant", box))
            if thinking {
                let reasoningContent = box[.reasoningContent] ?? .none
                let reasoning = reasoningContent.isTruthy ? reasoningContent : (box[.reasoning] ?? .none)
                tagOpen(.think, [])
                if !reasoning.isNone, !StringMethods.pythonStripped(reasoning.pythonString).isEmpty { try text(reasoning) }
                tagClose(.think)
            }
            tagOpen(.response, [])
            try content(box[.content], message: index)
            tagClose(.response)
            if let calls = box[.toolCalls], calls.isTruthy, case let .list(list) = calls {
                tagOpen(.tools, [])
                for (offset, call) in list.items.enumerated() {
                    guard case let .dict(callBox) = call else {
                        throw KimiError(.refused, "message \(index) tool call \(offset) is \(call.typeName), not an object")
                    }
                    guard case let .dict(function) = callBox[.function] ?? call, let name = function[.name] else {
                        throw KimiError(.refused, "message \(index) tool call \(offset) has no function 'name'")
                    }
                    tagOpen(.call, [("tool", name), ("index", .int(offset + 1))])
                    let arguments = function[.arguments] ?? .dict([])
                    if let block = function[.string("_xtml_json_block")], !block.isNone {
                        tagOpen(.json, [("type", .string("object"))])
                        try text(block)
                        tagClose(.json)
                    } else if case let .dict(argumentBox) = arguments {
                        for (key, value) in argumentBox.pairs {
                            tagOpen(.argument, [("key", key), ("type", .string(Self.argumentType(value)))])
                            if case .string = value { try text(value) } else { try text(.string(Value.jsonQuotedValue(value))) }
                            tagClose(.argument)
                        }
                    }
                    tagClose(.call)
                }
                tagClose(.tools)
            }
            tagClose(.message)
            put(K3Renderer.endOfMessage, special: true)
        }

        static func argumentType(_ value: Value) -> String {
            switch value {
            case .bool: "boolean"
            case .none: "null"
            case .int, .bigInt, .float: "number"
            case .string: "string"
            case .dict: "object"
            default: "array"
            }
        }
    }
}
