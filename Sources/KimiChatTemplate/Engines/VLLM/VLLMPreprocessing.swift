import KimiIO

/// What vLLM (0.33) does to a chat request between reading it and rendering the template,
/// reproduced from its own code and checked against prompts vLLM built (see docs/engines.md):
///
/// 1. **Content format.** `auto` resolves to `openai` when the template loops over a message's
///    content (``ContentFormatDetection``), else `string`.
/// 2. **Messages rebuilt.** Each message becomes `role`, `content`, then (assistant) `tool_calls`,
///    `reasoning` and `reasoning_content`, (tool) `tool_call_id`, and `name` when it is a string;
///    every other field is dropped. Content: a string is one text part and `null` no part; text
///    parts without text are skipped. Under `openai` the parts stay a list of
///    `{"type": "text", "text": ...}` (empty texts included); under `string` the non-empty texts
///    are joined with a line feed. A tool result's parts are always joined into a string (under
///    `openai` with its empty texts too).
/// 3. **Tool-call arguments parsed.** An `arguments` string is parsed as JSON and handed to the
///    template as that value (which `tojson` then prints again); an empty, missing or invalid one
///    becomes `{}`.
public enum VLLMPreprocessing {
    /// A request this profile does not model (vLLM would refuse it or needs a multimodal model).
    /// The steps, to apply all (what vLLM does) or one at a time (to name the step that made a
    /// prompt differ).
    public struct Steps: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Messages rebuilt and content turned into parts or joined.
        public static let contentFormat = Steps(rawValue: 1)
        /// Tool-call arguments parsed as JSON (invalid ones replaced by `{}`).
        public static let arguments = Steps(rawValue: 2)
        /// `developer` messages merged with the system messages at the top.
        public static let instructions = Steps(rawValue: 4)
        /// Kimi K3: tools dumped with `null` for a missing description or parameters.
        public static let toolDeclarations = Steps(rawValue: 8)
        /// Kimi K3: tool results ordered and matched to their calls.
        public static let toolResults = Steps(rawValue: 16)
        public static let all: Steps = [.contentFormat, .arguments, .instructions, .toolDeclarations, .toolResults]
    }

    /// The content format `format` means for `template`.
    public static func resolve(_ format: ContentFormat, template: Template) -> ContentFormat {
        format == .auto ? ContentFormatDetection.detect(template) : format
    }

    /// The request as vLLM hands it to the template, under a resolved format (`string` or `openai`).
    public static func apply(_ request: ChatRequest, format: ContentFormat, steps: Steps = .all) throws -> ChatRequest {
        var messages: [Value] = []
        for (index, message) in request.messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            var rebuilt = box
            if steps.contains(.contentFormat) { rebuilt = try rebuild(box, index: index, format: format) }
            if steps.contains(.arguments) { rebuilt = parsingArguments(rebuilt) }
            messages.append(.dict(rebuilt))
        }
        if steps.contains(.instructions) { messages = mergingSystemMessages(messages) }
        return try ChatRequest(messages: messages, tools: request.tools)
    }

    /// When the conversation has `developer` messages, every system and developer message
    /// leaves its place for one system message at the top, their non-empty contents joined
    /// with a blank line; without them, system messages stay where they are.
    static func mergingSystemMessages(_ messages: [Value]) -> [Value] {
        let roles = messages.map { MessageView($0)?.role ?? "" }
        guard roles.contains("developer") else { return messages }
        let instructions = messages.indices.filter { roles[$0] == "system" || roles[$0] == "developer" }
        let contents = instructions.compactMap { index -> String? in
            guard case let .string(text)? = MessageView(messages[index])?.content, !text.isEmpty else { return nil }
            return text
        }
        let merged = Value.dict(Value.DictBox([(.string("role"), .string("system")), (.string("content"), .string(contents.joined(separator: "\n\n")))]))
        let moved = Set(instructions)
        return [merged] + messages.indices.filter { !moved.contains($0) }.map { messages[$0] }
    }

    /// Whether any tool call's arguments string would be replaced by `{}`: one that is empty or
    /// not JSON.
    public static func dropsArguments(_ request: ChatRequest) -> Bool {
        request.messages.contains { message in
            guard case let .dict(box) = message, box[.role]?.isString("assistant") == true,
                case let .list(calls)? = box[.toolCalls]
            else { return false }
            return calls.items.contains { call in
                guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function],
                    case let .string(text)? = function[.arguments]
                else { return false }
                guard !text.isEmpty, case .object? = try? JSONReader.parse(Array(text.utf8)) else { return true }
                return false
            }
        }
    }

    private static func rebuild(_ box: Value.DictBox, index: Int, format: ContentFormat) throws -> Value.DictBox {
        let role = box[.role]?.pythonString ?? ""
        let texts = try contentTexts(box[.content], index: index)
        let content: Value
        if role == "tool" {
            let kept = format == .openai ? texts : texts.filter { !$0.isEmpty }
            content = .string(kept.joined(separator: "\n"))
        } else if format == .openai {
            content = .list(texts.map { .dict([("type", .string("text")), ("text", .string($0))]) })
        } else {
            content = .string(texts.filter { !$0.isEmpty }.joined(separator: "\n"))
        }
        let rebuilt = Value.DictBox([(.string("role"), box[.role] ?? .none), (.string("content"), content)])
        if role == "assistant" {
            if let calls = box[.toolCalls], !calls.isNone {
                guard case let .list(list) = calls else {
                    throw KimiError(.unsupported, "message \(index): tool_calls is \(calls.typeName), not a list")
                }
                rebuilt[.toolCalls] = .list(list.items.map(copied))
            }
            let reasoning = box[.reasoning].flatMap { $0.isTruthy ? $0 : nil } ?? box[.reasoningContent]
            if let reasoning, !reasoning.isNone {
                rebuilt[.reasoning] = reasoning
                rebuilt[.reasoningContent] = reasoning
            }
        } else if role == "tool", let id = box[.toolCallID] {
            rebuilt[.toolCallID] = id
        }
        if let name = box[.name], case .string = name { rebuilt[.name] = name }
        return rebuilt
    }

    /// The texts of a message's content: a string is one, `null` none, text parts give their text
    /// (parts without text are skipped).
    private static func contentTexts(_ content: Value?, index: Int) throws -> [String] {
        switch content {
        case nil, .none?: return []
        case let .string(text)?: return [text]
        case let .list(parts)?:
            var texts: [String] = []
            for (partIndex, part) in parts.items.enumerated() {
                if case let .string(text) = part { texts.append(text); continue }
                guard case let .dict(partBox) = part else { continue }
                let type = partBox[.type]?.pythonString ?? ""
                let key = ["text": "text", "input_text": "text", "output_text": "text", "refusal": "refusal", "thinking": "thinking"][type]
                guard let key else {
                    throw KimiError(
                        .unsupported,
                        "message \(index) content part \(partIndex) is of type '\(type)': vLLM's handling of media parts needs a multimodal model and is not modelled here"
                    )
                }
                guard let text = partBox[.string(key)], !text.isNone else { continue }
                texts.append(text.pythonString)
            }
            return texts
        case let other?:
            throw KimiError(.unsupported, "message \(index) content is \(other.typeName)")
        }
    }

    /// Arguments of every tool call parsed from JSON; empty, missing or invalid ones become `{}`.
    private static func parsingArguments(_ box: Value.DictBox) -> Value.DictBox {
        guard box[.role]?.isString("assistant") == true, case let .list(calls)? = box[.toolCalls] else { return box }
        let copy = Value.DictBox(Array(box.pairs))
        copy[.toolCalls] = .list(
            calls.items.map { call in
                guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function] else { return call }
                let newFunction = Value.DictBox(Array(function.pairs))
                let arguments = function[.arguments] ?? .none
                switch arguments {
                case .dict, .list:
                    newFunction[.arguments] = arguments.isTruthy ? arguments : .dict([])
                case let .string(text) where arguments.isTruthy:
                    // Only an object gets through; other JSON (a list, a number, null) becomes {}.
                    if let parsed = try? JSONReader.parseValue(Array(text.utf8)), case .dict = parsed {
                        newFunction[.arguments] = parsed
                    } else {
                        newFunction[.arguments] = .dict([])
                    }
                default:
                    newFunction[.arguments] = .dict([])
                }
                let newCall = Value.DictBox(Array(callBox.pairs))
                newCall[.function] = .dict(newFunction)
                return .dict(newCall)
            })
        return copy
    }

    /// A copy of a JSON-like value, so that rewriting it leaves the request alone.
    private static func copied(_ value: Value) -> Value {
        switch value {
        case let .dict(box): .dict(Value.DictBox(box.pairs.map { ($0, copied($1)) }))
        case let .list(box): .list(box.items.map(copied))
        default: value
        }
    }
}
