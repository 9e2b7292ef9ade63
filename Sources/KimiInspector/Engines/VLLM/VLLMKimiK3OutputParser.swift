import KimiChatTemplate
import KimiIO

/// vLLM 0.33's `kimi_k3` parsers (`--tool-call-parser kimi_k3`, with or without
/// `--reasoning-parser kimi_k3`), non-streaming, on XTML output.
///
/// - Reasoning (with the reasoning parser, thinking not off in `chat_template_kwargs`): the
///   text between `<|open|>think<|sep|>` (or the start) and the first `<|close|>think<|sep|>`;
///   without a close marker everything after the open marker is reasoning, and so is output
///   with no think marker at all unless it opens a `response` channel. The rest goes on as is
///   when the request has tools and `tool_choice` is not `none`, else with its `response`
///   wrapper and `<|close|>message<|sep|>` markers taken off.
/// - Calls: inside the first `<|open|>tools<|sep|>` (to its close or the end), every
///   `<|open|>call ATTRS<|sep|>BODY<|close|>call<|sep|>`; its `tool` attribute is the name (no
///   name drops the call), its `argument` blocks the arguments (`type="string"` raw, any other
///   type JSON-decoded or raw when that fails), written back with `json.dumps`. A `json` block
///   is not read: such a call has `{}`. IDs are random.
/// - Content: the body of the first complete `response` channel, else the text before the tools
///   channel without response and message markers. Calls are dropped when `tool_choice` is
///   `none` (the default without tools); whitespace-only content beside calls becomes `null`.
/// - Streamed (the deltas assembled): the content is what was sent as it came: the text before
///   the first `response` open marker (up to a tools channel or a response close marker in it),
///   then the response body up to the tools channel or its close marker; so the think channel
///   leaks into the content without the reasoning parser. With it and thinking on, output with
///   no close marker is all reasoning (a `response` channel too), and the text after the close
///   marker is streamed as above.
public struct VLLMKimiK3OutputParser: EngineOutputParser {
    public init() {}
    public var engineName: String { "vllm" }
    public var displayName: String { "vLLM 0.33 kimi_k3 parser" }

    private static let think = Array("think".unicodeScalars)
    private static let response = Array("response".unicodeScalars)
    private static let message = Array("message".unicodeScalars)
    private static let tools = Array("tools".unicodeScalars)
    private static let call = Array("call".unicodeScalars)
    private static let argument = Array("argument".unicodeScalars)
    private static let space = PythonCharacters.isRegexSpace

    public func response(to output: String, _ context: EngineResponseContext) throws -> EngineResponse {
        let choice = context.toolChoiceKind
        guard choice == "auto" || choice == "none" else {
            throw KimiError(
                .unsupported,
                choice == "named"
                    ? "vLLM refuses a named tool_choice for Kimi K3 unless strict tool calling builds the XTML structural tag; that setup is not recorded"
                    : "vLLM's kimi_k3 parser is recorded for tool_choice auto and none only, not '\(choice)'")
        }
        if context.streaming { return streamed(output, context) }
        var reasoning: String?
        var rest: String? = output
        if context.reasoningParser { (reasoning, rest) = Self.splitReasoning(output, context) }
        let (called, calls, content) = Self.extractCalls(rest ?? "")
        if choice == "none" || !called { return EngineResponse(content: content, reasoning: reasoning, toolCalls: []) }
        let kept = content.map { PythonCharacters.strip($0).isEmpty ? nil : $0 } ?? nil
        return EngineResponse(content: kept, reasoning: reasoning, toolCalls: calls)
    }

    /// The answer assembled from the streamed deltas.
    private func streamed(_ output: String, _ context: EngineResponseContext) -> EngineResponse {
        var reasoning: String?
        var rest = output
        let thinking = context.templateKwarg("thinking") ?? context.templateKwarg("enable_thinking") ?? .bool(true)
        if context.reasoningParser, thinking.isTruthy {
            let text = OutputText(output)
            let start = text.findMarker(OutputText.open, Self.think, from: 0, space: Self.space)?.upperBound ?? 0
            guard let close = text.findMarker(OutputText.close, Self.think, from: start, space: Self.space) else {
                let all = text.string(from: start)
                return EngineResponse(content: nil, reasoning: all.isEmpty ? nil : all, toolCalls: [])
            }
            let thought = text.string(start..<close.lowerBound)
            reasoning = thought.isEmpty ? nil : thought
            rest = text.string(from: close.upperBound)
        }
        let (called, calls, _) = Self.extractCalls(rest)
        let kept = context.toolChoiceKind == "none" || !called ? [] : calls
        return EngineResponse(content: Self.streamedContent(rest), reasoning: reasoning, toolCalls: kept)
    }

    /// The content the tool parser sends as the text grows: everything before the first
    /// response open marker (to a tools channel or response close marker there), then the
    /// response body to the tools channel or its close marker.
    private static func streamedContent(_ output: String) -> String? {
        let text = OutputText(output)
        let open = text.findMarker(OutputText.open, response, from: 0, space: space)
        let before = OutputText(text.scalars[..<(open?.lowerBound ?? text.count)])
        func end(of scanned: OutputText, from start: Int) -> Int {
            let stops = [
                scanned.findMarker(OutputText.open, tools, from: start, space: space)?.lowerBound,
                scanned.findMarker(OutputText.close, response, from: start, space: space)?.lowerBound,
            ].compactMap { $0 }
            return stops.min() ?? scanned.count
        }
        var content = before.string(0..<end(of: before, from: 0))
        if let open { content += text.string(open.upperBound..<end(of: text, from: open.upperBound)) }
        return content.isEmpty ? nil : content
    }

    /// The reasoning parser's split: the reasoning, and the text handed on.
    private static func splitReasoning(_ output: String, _ context: EngineResponseContext) -> (String?, String?) {
        let preserve = context.hasTools && context.toolChoiceKind != "none"
        func after(_ text: String) -> String? {
            let handed = preserve ? text : stripResponseWrapper(text)
            return handed.isEmpty ? nil : handed
        }
        let thinking = context.templateKwarg("thinking") ?? context.templateKwarg("enable_thinking") ?? .bool(true)
        guard thinking.isTruthy else { return (nil, after(output)) }
        let text = OutputText(output)
        let open = text.findMarker(OutputText.open, think, from: 0, space: space)
        let start = open?.upperBound ?? 0
        if open == nil, text.findMarker(OutputText.close, think, from: 0, space: space) == nil,
            text.findMarker(OutputText.open, response, from: 0, space: space) != nil
        {
            return (nil, after(output))
        }
        guard let close = text.findMarker(OutputText.close, think, from: start, space: space) else {
            let reasoning = text.string(from: start)
            return (reasoning.isEmpty ? nil : reasoning, nil)
        }
        let reasoning = text.string(start..<close.lowerBound)
        return (reasoning.isEmpty ? nil : reasoning, after(text.string(from: close.upperBound)))
    }

    /// The reasoning parser's cleanup: the body of the response channel (to its close or the
    /// end), or the text without stray response markers; message-close markers removed.
    private static func stripResponseWrapper(_ text: String) -> String {
        let scanned = OutputText(text)
        let open = scanned.findMarker(OutputText.open, response, from: 0, space: space)
        var body = text
        if let open {
            let close = scanned.findMarker(OutputText.close, response, from: open.upperBound, space: space)
            body = scanned.string(open.upperBound..<(close?.lowerBound ?? scanned.count))
        } else {
            body = OutputText(OutputText(text).removingMarkers(OutputText.open, response, space: space))
                .removingMarkers(OutputText.close, response, space: space)
        }
        return OutputText(body).removingMarkers(OutputText.close, message, space: space)
    }

    /// The tool parser: whether it found calls, the calls, and the content.
    private static func extractCalls(_ output: String) -> (Bool, [EngineResponse.ToolCall], String?) {
        let text = OutputText(output)
        guard let open = text.findMarker(OutputText.open, tools, from: 0, space: space) else {
            return (false, [], content(text, before: text))
        }
        let before = OutputText(text.scalars[..<open.lowerBound])
        let end = text.findMarker(OutputText.close, tools, from: open.upperBound, space: space)?.lowerBound ?? text.count
        let section = OutputText(text.scalars[open.upperBound..<end])
        let calls = blocks(call, in: section).compactMap { decodeCall(attributes: $0.attributes, body: $0.body) }
        return (!calls.isEmpty, calls, content(text, before: before))
    }

    /// The first complete response channel's body, else `before` without response and message
    /// markers; `nil` when empty.
    private static func content(_ text: OutputText, before: OutputText) -> String? {
        if let open = text.findMarker(OutputText.open, response, from: 0, space: space),
            let close = text.findMarker(OutputText.close, response, from: open.upperBound, space: space)
        {
            let body = text.string(open.upperBound..<close.lowerBound)
            return body.isEmpty ? nil : body
        }
        var body = before.string(0..<before.count)
        if let open = before.findMarker(OutputText.open, response, from: 0, space: space) {
            let close = before.findMarker(OutputText.close, response, from: open.upperBound, space: space)
            body = before.string(open.upperBound..<(close?.lowerBound ?? before.count))
        } else {
            body = before.removingMarkers(OutputText.close, response, space: space)
        }
        body = OutputText(body).removingMarkers(OutputText.close, message, space: space)
        return body.isEmpty ? nil : body
    }

    /// Every `<|open|>NAME ATTRS<|sep|>BODY<|close|>NAME<|sep|>` block, leftmost first, as
    /// `finditer` finds them: ATTRS after at least one space and up to the first `<|sep|>`, BODY
    /// up to the first close marker; where none closes, the search goes on one scalar later.
    private static func blocks(_ name: [Unicode.Scalar], in text: OutputText) -> [(attributes: String, body: String)] {
        var found: [(String, String)] = []
        var index = 0
        while let start = text.find(OutputText.open, from: index) {
            index = start + 1
            let nameStart = text.skip(from: start + OutputText.open.count, while: space)
            guard text.has(name, at: nameStart) else { continue }
            let attributesStart = text.skip(from: nameStart + name.count, while: space)
            guard attributesStart > nameStart + name.count, let sep = text.find(OutputText.sep, from: attributesStart) else { continue }
            let bodyStart = sep + OutputText.sep.count
            guard let close = text.findMarker(OutputText.close, name, from: bodyStart, space: space) else { continue }
            found.append((text.string(attributesStart..<sep), text.string(bodyStart..<close.lowerBound)))
            index = close.upperBound
        }
        return found
    }

    /// `key="value"` pairs, `&quot;` and `&amp;` unescaped; a later key replaces an earlier one.
    private static func attributes(_ text: String) -> [String: String] {
        let scanned = OutputText(text)
        var pairs: [String: String] = [:]
        var index = 0
        while index < scanned.count {
            let wordEnd = scanned.skip(from: index, while: PythonCharacters.isRegexWord)
            guard wordEnd > index, scanned.has(Array("=\"".unicodeScalars), at: wordEnd),
                let quote = scanned.find(["\""], from: wordEnd + 2)
            else {
                index += 1
                continue
            }
            let value = scanned.string((wordEnd + 2)..<quote)
            pairs[scanned.string(index..<wordEnd)] = value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            index = quote + 1
        }
        return pairs
    }

    private static func decodeCall(attributes callAttributes: String, body: String) -> EngineResponse.ToolCall? {
        let name = attributes(callAttributes)["tool"] ?? ""
        var arguments: [(Value, Value)] = []
        for block in blocks(argument, in: OutputText(body)) {
            let pairs = attributes(block.attributes)
            let key = Value.string(pairs["key"] ?? "")
            var value = Value.string(block.body)
            if (pairs["type"] ?? "string") != "string", let decoded = try? JSONReader.parseValue(Array(block.body.utf8)) { value = decoded }
            if let existing = arguments.firstIndex(where: { $0.0.stringValue == key.stringValue }) {
                arguments[existing].1 = value
            } else {
                arguments.append((key, value))
            }
        }
        guard !name.isEmpty else { return nil }
        return .init(
            id: EngineResponse.ToolCall.generatedID, idGenerated: true, name: name,
            arguments: Value.jsonQuotedValue(.dict(Value.DictBox(arguments))))
    }
}
