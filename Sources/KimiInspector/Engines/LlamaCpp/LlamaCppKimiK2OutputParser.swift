import KimiChatTemplate
import KimiIO

/// What `llama-server --jinja` (build 11434) returns for raw Kimi K2 output, non-streaming:
/// the parser of the chat handler its template gets (``LlamaCppTemplateCaps``).
///
/// - **Kimi K2 handler** (a template that writes K2 tool-call markup, as the model's own):
///   a grammar the whole output must match, else the parser throws (HTTP 500). An optional
///   `<think>` opens the reasoning, which runs to `</think>` (dropped) or the first section or
///   call marker. Without tools (or with `tool_choice` `none`) the rest is the content, markup
///   and all. With tools: content up to the first section or call marker, an optional section
///   start, then calls of exactly `<|tool_call_begin|>functions.NAME:DIGITS<|tool_call_argument_begin|>JSON`
///   with NAME declared (no whitespace anywhere between), each with an optional
///   `<|tool_call_end|>`, at most one unless the request sets `parallel_tool_calls`, an optional
///   section end, and nothing after. The ID is the model's own; the arguments are the JSON as
///   written (`{}` when it is not an object); a JSON string the output never closes takes the
///   rest of the output.
/// - **Generic parser** (a template without tool-call markup): the whole output is the
///   content, never a call.
///
/// Content and reasoning are `""` when empty.
public struct LlamaCppKimiK2OutputParser: EngineOutputParser {
    public init() {}
    public var engineName: String { "llama.cpp" }
    public var displayName: String { "llama.cpp b11434 Kimi K2 parser" }

    /// What llama.cpp throws when the output does not match its grammar.
    public static let mismatch = "The model produced output that does not match the expected peg-native format"

    public func response(to output: String, _ context: EngineResponseContext) throws -> EngineResponse {
        guard !context.streaming else {
            throw KimiError(.unsupported, "llama.cpp's streamed answers are not recorded; kimi-tok reproduces its non-streaming answer only")
        }
        if let template = context.template, LlamaCppTemplateCaps.detect(template).handler == .generic {
            return EngineResponse(content: output, reasoning: "", toolCalls: [])
        }
        let text = OutputText(output)
        var position = 0
        var reasoning = ""
        if text.has(K2OutputMarkers.thinkStart, at: 0) {
            let start = K2OutputMarkers.thinkStart.count
            let end =
                [
                    text.find(K2OutputMarkers.thinkEnd, from: start), text.find(K2OutputMarkers.sectionStart, from: start),
                    text.find(K2OutputMarkers.callStart, from: start),
                ]
                .compactMap { $0 }.min() ?? text.count
            reasoning = text.string(start..<end)
            position = text.has(K2OutputMarkers.thinkEnd, at: end) ? end + K2OutputMarkers.thinkEnd.count : end
        }
        let names = (context.tools ?? []).compactMap(Self.name)
        if names.isEmpty || context.toolChoiceKind == "none" {
            return EngineResponse(content: text.string(from: position), reasoning: reasoning, toolCalls: [])
        }
        let contentEnd =
            [text.find(K2OutputMarkers.sectionStart, from: position), text.find(K2OutputMarkers.callStart, from: position)].compactMap { $0 }.min()
            ?? text.count
        let content = text.string(position..<contentEnd)
        position = contentEnd
        if text.has(K2OutputMarkers.sectionStart, at: position) { position += K2OutputMarkers.sectionStart.count }
        var calls: [EngineResponse.ToolCall] = []
        while text.has(K2OutputMarkers.callStart, at: position), context.parallelToolCalls || calls.isEmpty {
            guard let (call, end) = Self.call(in: text, at: position + K2OutputMarkers.callStart.count, names: names) else {
                return .failure(Self.mismatch)
            }
            calls.append(call)
            position = text.has(K2OutputMarkers.callEnd, at: end) ? end + K2OutputMarkers.callEnd.count : end
        }
        if text.has(K2OutputMarkers.sectionEnd, at: position) { position += K2OutputMarkers.sectionEnd.count }
        guard position == text.count else { return .failure(Self.mismatch) }
        return EngineResponse(content: content, reasoning: reasoning, toolCalls: calls)
    }

    /// What in `output` the grammar stops at: the first call that does not read, or what
    /// follows the calls.
    public func failureCause(in output: String, _ context: EngineResponseContext) -> String? {
        let text = OutputText(output)
        let names = (context.tools ?? []).compactMap(Self.name)
        var position = text.find(K2OutputMarkers.sectionStart) ?? text.find(K2OutputMarkers.callStart) ?? text.count
        if text.has(K2OutputMarkers.thinkStart, at: 0), let reasoningEnd = text.find(K2OutputMarkers.thinkEnd), reasoningEnd < position {
            position =
                [text.find(K2OutputMarkers.sectionStart, from: reasoningEnd), text.find(K2OutputMarkers.callStart, from: reasoningEnd)].compactMap { $0 }.min()
                ?? text.count
        }
        if text.has(K2OutputMarkers.sectionStart, at: position) { position += K2OutputMarkers.sectionStart.count }
        var calls = 0
        while text.has(K2OutputMarkers.callStart, at: position) {
            if calls == 1, !context.parallelToolCalls {
                return "a second call: llama-server reads one call unless the request sets parallel_tool_calls"
            }
            let headerStart = position + K2OutputMarkers.callStart.count
            let headerEnd = text.find(K2OutputMarkers.argumentStart, from: headerStart) ?? text.count
            let header = text.string(headerStart..<headerEnd)
            if header != PythonCharacters.strip(header) { return "whitespace around the call ID '\(header.debugDescription)'" }
            guard header.hasPrefix("functions."), let colon = header.lastIndex(of: ":"),
                !header[header.index(after: colon)...].isEmpty, header[header.index(after: colon)...].allSatisfy({ $0.isASCII && $0.isNumber })
            else { return "the call ID '\(header)' is not functions.NAME:N" }
            let name = String(header[header.index(header.startIndex, offsetBy: "functions.".count)..<colon])
            if !names.contains(name) { return "'\(name)' is not a declared tool" }
            let argumentsStart = headerEnd + K2OutputMarkers.argumentStart.count
            if argumentsStart < text.count, PythonCharacters.isSpace(text.scalars[argumentsStart]) { return "whitespace before the arguments of '\(header)'" }
            guard let (_, end) = Self.call(in: text, at: headerStart, names: names) else { return "the arguments of '\(header)' are not JSON" }
            position = text.has(K2OutputMarkers.callEnd, at: end) ? end + K2OutputMarkers.callEnd.count : end
            calls += 1
        }
        if text.has(K2OutputMarkers.sectionEnd, at: position) { position += K2OutputMarkers.sectionEnd.count }
        guard position < text.count else { return nil }
        return "text after the calls: \(String(text.string(from: position).prefix(60)).debugDescription)"
    }

    /// The first declared tool (in declaration order) whose call matches at `start`, and where
    /// the call's arguments end.
    private static func call(in text: OutputText, at start: Int, names: [String]) -> (EngineResponse.ToolCall, Int)? {
        for name in names {
            let head = Array("functions.\(name):".unicodeScalars)
            guard text.has(head, at: start) else { continue }
            let digits = text.skip(from: start + head.count) { $0.isASCII && $0.properties.numericType == .decimal }
            guard digits > start + head.count, text.has(K2OutputMarkers.argumentStart, at: digits) else { continue }
            let argumentsStart = digits + K2OutputMarkers.argumentStart.count
            guard let end = LlamaCppJSONScan.end(of: text, from: argumentsStart) else { continue }
            var arguments = text.string(argumentsStart..<end)
            if end < text.count || LlamaCppJSONScan.isComplete(arguments) {
                if case .object? = try? JSONReader.parse(Array(arguments.utf8)) {} else { arguments = "{}" }
            }
            return (.init(id: text.string(start..<digits), name: name, arguments: arguments), end)
        }
        return nil
    }

    private static func name(_ tool: Value) -> String? {
        guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return nil }
        return function[.name]?.stringValue
    }
}

/// The JSON value llama.cpp's grammar reads for a call's arguments: strict JSON with no
/// whitespace before it; input that ends inside the value ends it there.
enum LlamaCppJSONScan {
    /// Where the value starting at `start` ends: after it, or the end of the text when the text
    /// ends inside it; `nil` when it is not JSON.
    static func end(of text: OutputText, from start: Int) -> Int? {
        var scanner = Scanner(text: text.scalars, position: start)
        switch scanner.value() {
        case .complete: return scanner.position
        case .endOfInput: return text.count
        case .invalid: return nil
        }
    }

    /// Whether `arguments` is a whole JSON value (not one cut off by the end of the output).
    static func isComplete(_ arguments: String) -> Bool {
        var scanner = Scanner(text: Array(arguments.unicodeScalars), position: 0)
        return scanner.value() == .complete && scanner.position == arguments.unicodeScalars.count
    }

    private enum Outcome { case complete, endOfInput, invalid }

    private struct Scanner {
        let text: [Unicode.Scalar]
        var position: Int

        mutating func skipSpace() {
            while position < text.count, " \t\n\r".unicodeScalars.contains(text[position]) { position += 1 }
        }

        mutating func value() -> Outcome {
            guard position < text.count else { return .endOfInput }
            switch text[position] {
            case "{": return container(close: "}", keyed: true)
            case "[": return container(close: "]", keyed: false)
            case "\"": return string()
            default: return literal()
            }
        }

        mutating func container(close: Unicode.Scalar, keyed: Bool) -> Outcome {
            position += 1
            skipSpace()
            guard position < text.count else { return .endOfInput }
            if text[position] == close {
                position += 1
                return .complete
            }
            while true {
                if keyed {
                    guard position < text.count else { return .endOfInput }
                    guard text[position] == "\"" else { return .invalid }
                    let key = string()
                    guard key == .complete else { return key }
                    skipSpace()
                    guard position < text.count else { return .endOfInput }
                    guard text[position] == ":" else { return .invalid }
                    position += 1
                    skipSpace()
                }
                let item = value()
                guard item == .complete else { return item }
                skipSpace()
                guard position < text.count else { return .endOfInput }
                if text[position] == "," {
                    position += 1
                    skipSpace()
                    continue
                }
                guard text[position] == close else { return .invalid }
                position += 1
                return .complete
            }
        }

        mutating func string() -> Outcome {
            position += 1
            while position < text.count {
                switch text[position] {
                case "\\": position += 2
                case "\"":
                    position += 1
                    return .complete
                default: position += 1
                }
            }
            return .endOfInput
        }

        mutating func literal() -> Outcome {
            for word in ["true", "false", "null"] {
                let scalars = Array(word.unicodeScalars)
                if position + scalars.count <= text.count, Array(text[position..<position + scalars.count]) == scalars {
                    position += scalars.count
                    return .complete
                }
            }
            // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
            let start = position
            func digits() -> Int {
                let from = position
                while position < text.count, ("0"..."9").contains(text[position]) { position += 1 }
                return position - from
            }
            if position < text.count, text[position] == "-" { position += 1 }
            guard position < text.count, ("0"..."9").contains(text[position]) else {
                position = start
                return .invalid
            }
            if text[position] == "0" { position += 1 } else { _ = digits() }
            if position + 1 < text.count, text[position] == ".", ("0"..."9").contains(text[position + 1]) {
                position += 1
                _ = digits()
            }
            if position < text.count, text[position] == "e" || text[position] == "E" {
                let mark = position
                position += 1
                if position < text.count, text[position] == "+" || text[position] == "-" { position += 1 }
                if digits() == 0 { position = mark }
            }
            return .complete
        }
    }
}
