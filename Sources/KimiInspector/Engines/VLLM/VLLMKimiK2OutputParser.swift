import KimiChatTemplate
import KimiIO

/// vLLM 0.33's `kimi_k2` parser (`--tool-call-parser kimi_k2`, with or without
/// `--reasoning-parser kimi_k2`), non-streaming: a state machine over the K2 markers.
///
/// - States: reasoning (only with the reasoning parser and thinking not switched off in
///   `chat_template_kwargs`), content, section, header, arguments, between calls. `</think>`
///   ends the reasoning, a section start ends reasoning or content; `<|tool_call_begin|>` opens
///   a header, `<|tool_call_argument_begin|>` the arguments, and `<|tool_call_end|>` or
///   `<|tool_calls_section_end|>` closes the call. A marker with no move from the current state
///   is text of that state, so a call missing its end marker takes the next call's markup into
///   its arguments, and calls outside a section stay in the content. Text after the section is
///   dropped.
/// - A call's ID is the longest start of its stripped header's first line that ends in `:N`;
///   its name that ID's part before the first `:`, without `functions.`. A header with no such
///   ID (`call_abc`, `functions.:0`) drops the call — unless the arguments are empty, when the
///   raw header becomes the name and the ID `functions.NAME:K`, K counting such calls.
/// - Arguments are stripped, empty ones become `{}`. Calls are dropped when the request has no
///   tools or `tool_choice` is `none`. Whitespace-only content before a section is dropped, and
///   trailing whitespace of the reasoning.
/// - Streamed (the deltas assembled): arguments as the model wrote them, unstripped and empty
///   when empty; and where calls are dropped (`tool_choice` `none`), a call still open when the
///   output ends has already been sent.
public struct VLLMKimiK2OutputParser: EngineOutputParser {
    public init() {}
    public var engineName: String { "vllm" }
    public var displayName: String { "vLLM 0.33 kimi_k2 parser" }

    private enum State { case reasoning, content, section, header, arguments, between }
    private enum Marker: CaseIterable {
        case thinkStart, thinkEnd, sectionStart, sectionEnd, callStart, callEnd, argumentStart

        var text: [Unicode.Scalar] {
            switch self {
            case .thinkStart: K2OutputMarkers.thinkStart
            case .thinkEnd: K2OutputMarkers.thinkEnd
            case .sectionStart: K2OutputMarkers.sectionStart
            case .sectionEnd: K2OutputMarkers.sectionEnd
            case .callStart: K2OutputMarkers.callStart
            case .callEnd: K2OutputMarkers.callEnd
            case .argumentStart: K2OutputMarkers.argumentStart
            }
        }
    }

    /// The state a marker moves to from `state`, when it moves at all.
    private static func transition(_ state: State, _ marker: Marker) -> State? {
        switch (state, marker) {
        case (.reasoning, .thinkStart): .reasoning
        case (.reasoning, .thinkEnd), (.content, .thinkEnd): .content
        case (.reasoning, .sectionStart), (.content, .sectionStart): .section
        case (.section, .callStart), (.between, .callStart): .header
        case (.header, .argumentStart): .arguments
        case (.arguments, .callEnd): .between
        case (.arguments, .sectionEnd), (.section, .sectionEnd), (.between, .sectionEnd): .section
        default: nil
        }
    }

    public func response(to output: String, _ context: EngineResponseContext) throws -> EngineResponse {
        let choice = context.toolChoiceKind
        guard choice == "auto" || choice == "none" else {
            throw KimiError(
                .unsupported,
                "vLLM's kimi_k2 parser is recorded for tool_choice auto and none only, not '\(choice)'; kimi-tok does not guess the rest")
        }
        let thinking = context.reasoningParser && Self.thinkingEnabled(context)
        let markers = Marker.allCases.filter { thinking || ($0 != .thinkStart && $0 != .thinkEnd) }
        let text = OutputText(output)
        var state: State = thinking ? .reasoning : .content
        var reasoning = "", content = ""
        var calls: [(header: String, arguments: String)] = []
        var pending = String.UnicodeScalarView()

        func flush() {
            let piece = String(pending)
            pending = String.UnicodeScalarView()
            switch state {
            case .reasoning: reasoning += piece
            case .content: content += piece
            case .header: calls[calls.count - 1].header += piece
            case .arguments: calls[calls.count - 1].arguments += piece
            case .section, .between: break
            }
        }
        var index = 0
        while index < text.count {
            if text.scalars[index] == "<", let marker = markers.first(where: { text.has($0.text, at: index) }) {
                flush()
                index += marker.text.count
                if let next = Self.transition(state, marker) {
                    if next == .header { calls.append(("", "")) }
                    state = next
                } else {
                    pending.append(contentsOf: marker.text)
                }
                continue
            }
            pending.append(text.scalars[index])
            index += 1
        }
        flush()

        var toolCalls: [(call: EngineResponse.ToolCall, open: Bool)] = []
        var generated = 0
        for (position, call) in calls.enumerated() {
            let open = position == calls.count - 1 && (state == .header || state == .arguments)
            var id: String?
            var name = ""
            if let found = Self.nativeID(in: call.header) {
                id = found
                let beforeColon = found.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
                name = beforeColon.hasPrefix("functions.") ? String(beforeColon.dropFirst("functions.".count)) : String(beforeColon)
            }
            if name.isEmpty {
                guard call.arguments.isEmpty, !call.header.isEmpty else { continue }
                name = call.header
                id = nil
            }
            let stripped = PythonCharacters.strip(call.arguments)
            let arguments = context.streaming ? call.arguments : (stripped.isEmpty ? "{}" : stripped)
            if id == nil {
                id = "functions.\(name):\(generated)"
                generated += 1
            }
            if let id { toolCalls.append((.init(id: id, name: name, arguments: arguments), open)) }
        }
        if !context.hasTools || choice == "none" { toolCalls = toolCalls.filter { context.streaming && $0.open } }
        if !calls.isEmpty, PythonCharacters.strip(content).isEmpty { content = "" }
        if thinking { reasoning = PythonCharacters.rstrip(reasoning) }
        return EngineResponse(
            content: content.isEmpty ? nil : content, reasoning: reasoning.isEmpty ? nil : reasoning, toolCalls: toolCalls.map(\.call))
    }

    /// Thinking is on unless `chat_template_kwargs` switches it off (`thinking` or
    /// `enable_thinking`; either one true keeps it on).
    static func thinkingEnabled(_ context: EngineResponseContext) -> Bool {
        let thinking = context.templateKwarg("thinking"), enable = context.templateKwarg("enable_thinking")
        if thinking == nil, enable == nil { return true }
        return (thinking?.isTruthy ?? false) || (enable?.isTruthy ?? false)
    }

    /// `(?P<id>.+:\d+)` matched at the start of the stripped header: the longest start of its
    /// first line that ends in `:` and digits.
    static func nativeID(in header: String) -> String? {
        let line = Array(PythonCharacters.strip(header).unicodeScalars.prefix { $0 != "\n" })
        var colon = line.count - 2
        while colon >= 1 {
            if line[colon] == ":", PythonCharacters.isDigit(line[colon + 1]) {
                var end = colon + 1
                while end < line.count, PythonCharacters.isDigit(line[end]) { end += 1 }
                return PythonCharacters.strip(OutputText(line[0..<end]).string(0..<end))
            }
            colon -= 1
        }
        return nil
    }
}
