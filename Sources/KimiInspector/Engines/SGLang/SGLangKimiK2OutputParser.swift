import KimiChatTemplate
import KimiIO

/// SGLang 0.5.23's chat-completion answer with `--tool-call-parser kimi_k2 --reasoning-parser
/// kimi_k2`, non-streaming.
///
/// - Reasoning: unless `chat_template_kwargs` sets `thinking` to false (then only output with a
///   `<think>` is read this way), a leading `<think>` is dropped and the reasoning runs to the
///   first `</think>` or `<|tool_calls_section_begin|>`, whichever comes first; to the end when
///   neither does. Content is `""`, never `null`.
/// - Calls (when `tool_choice` is not `none`, the request has tools and the content holds a
///   section start): each leftmost `<|tool_call_begin|>` + spaces + a header without `<` +
///   spaces + `<|tool_call_argument_begin|>` + spaces + `{` up to the first `}` + spaces +
///   `<|tool_call_end|>`. So arguments stop at the first `}` (nested objects and `}` in strings
///   cut them, and a call with no `}` before its end marker takes the next call in). A header
///   `(functions.)NAME:N` (NAME of word characters, `.` and `-`) names the call; a header of
///   digits only names the only tool, or the first tool whose properties hold every argument
///   key; any other header drops the call. Content keeps only the text before the section.
/// - IDs are rebuilt as `functions.NAME:K`, K = history tool calls + the call's position: the
///   model's own index is ignored. With calls, `stop` becomes `tool_calls`.
public struct SGLangKimiK2OutputParser: EngineOutputParser {
    public init() {}
    public var engineName: String { "sglang" }
    public var displayName: String { "SGLang 0.5.23 kimi_k2 parser" }

    public func response(to output: String, _ context: EngineResponseContext) throws -> EngineResponse {
        guard !context.streaming else {
            throw KimiError(
                .unsupported,
                "SGLang's streamed answers are not reproduced: the recording skipped its final flush step, so it holds no complete streamed answer to check against"
            )
        }
        guard context.reasoningParser else {
            throw KimiError(
                .unsupported, "SGLang's answers are recorded with --reasoning-parser kimi_k2 only; pass --reasoning-parser")
        }
        var requestError: String?
        do {
            try SGLangEngine.validateToolChoice(context.toolChoice ?? .none, tools: context.tools)
        } catch let error as KimiError {
            requestError = error.message
        }
        let (reasoning, afterReasoning) = Self.splitReasoning(output, context)
        var content = afterReasoning
        var calls: [EngineResponse.ToolCall]?
        var finishReason = context.finishReason
        let text = OutputText(afterReasoning)
        if context.toolChoiceKind != "none", context.hasTools, let section = text.find(K2OutputMarkers.sectionStart) {
            var found: [(name: String, arguments: String)] = []
            for match in Self.calls(in: text) {
                if let name = Self.name(header: match.header, arguments: match.arguments, tools: context.tools ?? []) {
                    found.append((name, match.arguments))
                }
            }
            content = text.string(0..<section)
            if !found.isEmpty {
                calls = found.enumerated().map { position, call in
                    .init(id: "functions.\(call.name):\(context.historyToolCalls + position)", name: call.name, arguments: call.arguments, index: position)
                }
                if finishReason == "stop" { finishReason = "tool_calls" }
            }
        }
        return EngineResponse(
            content: content, reasoning: reasoning.flatMap { $0.isEmpty ? nil : $0 }, toolCalls: calls, finishReason: finishReason,
            requestError: requestError)
    }

    /// The reasoning (nil when none is read) and the text after it.
    private static func splitReasoning(_ output: String, _ context: EngineResponseContext) -> (String?, String) {
        let text = OutputText(output)
        let thinkingOff: Bool = if case .bool(false)? = context.templateKwarg("thinking") { true } else { false }
        if thinkingOff, text.find(K2OutputMarkers.thinkStart) == nil { return (nil, output) }
        let start = text.has(K2OutputMarkers.thinkStart, at: 0) ? K2OutputMarkers.thinkStart.count : 0
        let end = text.find(K2OutputMarkers.thinkEnd, from: start), section = text.find(K2OutputMarkers.sectionStart, from: start)
        if let end, section.map({ end < $0 }) ?? true {
            return (text.string(start..<end), text.string(from: end + K2OutputMarkers.thinkEnd.count))
        }
        if let section { return (text.string(start..<section), text.string(from: section)) }
        return (text.string(from: start), "")
    }

    /// Every call the detector's pattern matches, leftmost first.
    private static func calls(in text: OutputText) -> [(header: String, arguments: String)] {
        let space = PythonCharacters.isSpace
        var found: [(String, String)] = []
        var index = 0
        while let start = text.find(K2OutputMarkers.callStart, from: index) {
            index = start + 1
            let headerStart = text.skip(from: start + K2OutputMarkers.callStart.count, while: space)
            // The header is the shortest run without `<` after which spaces and the argument marker follow.
            var headerEnd = headerStart
            var argumentsOpen: Int?
            while true {
                let marker = text.skip(from: headerEnd, while: space)
                if text.has(K2OutputMarkers.argumentStart, at: marker) {
                    argumentsOpen = marker + K2OutputMarkers.argumentStart.count
                    break
                }
                guard headerEnd < text.count, text.scalars[headerEnd] != "<" else { break }
                headerEnd += 1
            }
            guard let argumentsOpen else { continue }
            let brace = text.skip(from: argumentsOpen, while: space)
            guard brace < text.count, text.scalars[brace] == "{" else { continue }
            // `\{.*?\}\s*<|tool_call_end|>`: the first `}` after which spaces and the end marker follow.
            var close = brace + 1
            var end: Int?
            while let candidate = text.find(["}"], from: close) {
                let marker = text.skip(from: candidate + 1, while: space)
                if text.has(K2OutputMarkers.callEnd, at: marker) {
                    end = candidate + 1
                    index = marker + K2OutputMarkers.callEnd.count
                    break
                }
                close = candidate + 1
            }
            guard let end else { continue }
            found.append((text.string(headerStart..<headerEnd), text.string(brace..<end)))
        }
        return found
    }

    /// The name a header gives its call, or nil when the call is dropped.
    private static func name(header: String, arguments: String, tools: [Value]) -> String? {
        let scalars = Array(header.unicodeScalars)
        if !scalars.isEmpty, scalars.allSatisfy(PythonCharacters.isDigit) { return bareCounterName(arguments: arguments, tools: tools) }
        guard let colon = scalars.lastIndex(of: ":"), colon + 1 < scalars.count, scalars[(colon + 1)...].allSatisfy(PythonCharacters.isDigit) else {
            return nil
        }
        var name = scalars[..<colon]
        if Array(name.prefix(10)) == Array("functions.".unicodeScalars), name.count > 10 { name = name.dropFirst(10) }
        guard !name.isEmpty, name.allSatisfy({ PythonCharacters.isWord($0) || $0 == "." || $0 == "-" }) else { return nil }
        return OutputText(name).string(0..<name.count)
    }

    /// A header of digits only: the only tool, or the first tool whose parameters declare every
    /// key of the (object) arguments.
    private static func bareCounterName(arguments: String, tools: [Value]) -> String? {
        let names = tools.map { tool -> (String?, Set<String>) in
            guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return (nil, []) }
            var keys: Set<String> = []
            if case let .dict(parameters)? = function[.string("parameters")], case let .dict(properties)? = parameters[.string("properties")] {
                for (key, _) in properties.pairs { if let key = key.stringValue { keys.insert(key) } }
            }
            return (function[.name]?.stringValue, keys)
        }
        if names.count == 1 { return names[0].0 }
        guard case let .dict(box)? = try? JSONReader.parseValue(Array(arguments.utf8)) else { return nil }
        let keys = Set(box.pairs.compactMap { $0.0.stringValue })
        return names.first { keys.isSubset(of: $0.1) }?.0
    }
}
