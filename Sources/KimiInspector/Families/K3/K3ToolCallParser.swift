import KimiChatTemplate

/// Parses Kimi K3 output (XTML) into reasoning, response text and tool calls, incrementally:
/// feed chunks as they stream in (markers and tags may be split across chunks), then finish.
///
///     …reasoning<|close|>think<|sep|><|open|>response<|sep|>text<|close|>response<|sep|>
///     <|open|>tools<|sep|><|open|>call tool="NAME" index="1"<|sep|>
///       <|open|>argument key="city" type="string"<|sep|>Paris<|close|>argument<|sep|>
///     <|close|>call<|sep|><|close|>tools<|sep|><|close|>message<|sep|><|end_of_msg|>
///
/// A call's arguments are given as typed `argument` elements (string, number, boolean, null,
/// object, array) or as one `json` block; they are turned into one JSON object text. Output
/// starts inside the elements the generation prompt opened (`message`, then `think`).
public struct K3ToolCallParser: Sendable {
    public enum Event: Sendable, Equatable {
        case reasoning(String)
        case content(String)
        case call(tool: String, index: String, arguments: String, complete: Bool)
        case malformed(String)
    }

    private var buffer = ""
    private var stack: [String]
    private var call: (tool: String, index: String, arguments: [(key: String, type: String, value: String)], json: String?)?
    private var argument: (key: String, type: String, value: String)?
    private var json: String?

    /// A parser for output that follows a generation prompt which opened `opened`.
    public init(opened: [String] = ["message", "think"]) { stack = opened }

    public static func parse(_ text: String, opened: [String] = ["message", "think"]) -> [Event] {
        var parser = K3ToolCallParser(opened: opened)
        return parser.feed(text) + parser.finish()
    }

    /// Consumes the next chunk; returns what it completed.
    public mutating func feed(_ chunk: String) -> [Event] {
        buffer += chunk
        var events: [Event] = []
        while let start = buffer.range(of: "<|") {
            emitText(String(buffer[..<start.lowerBound]), into: &events)
            let rest = buffer[start.lowerBound...]
            guard let marker = K3Markers.names.first(where: { rest.hasPrefix($0) }) else {
                if K3Markers.names.contains(where: { $0.hasPrefix(rest) }) {
                    buffer = String(rest)
                    return events
                }
                emitText("<|", into: &events)
                buffer = String(rest.dropFirst(2))
                continue
            }
            var after = rest.dropFirst(marker.count)
            if marker == "<|open|>" || marker == "<|close|>" {
                guard let sep = after.range(of: "<|sep|>") else {
                    buffer = String(rest)
                    return events
                }
                let tag = String(after[..<sep.lowerBound])
                after = after[sep.upperBound...]
                if marker == "<|open|>" { open(tag, into: &events) } else { close(tag, into: &events) }
            } else if marker == "<|sep|>" {
                events.append(.malformed("<|sep|> that ends no tag"))
            }
            buffer = String(after)
        }
        // A final "<" may begin a marker that the next chunk completes.
        let keep = buffer.hasSuffix("<") ? 1 : 0
        emitText(String(buffer.dropLast(keep)), into: &events)
        buffer = String(buffer.suffix(keep))
        return events
    }

    /// Ends the stream: an open call is reported as cut off.
    public mutating func finish() -> [Event] {
        var events: [Event] = []
        if !buffer.isEmpty {
            if K3Markers.names.contains(where: { $0.hasPrefix(buffer) }) || buffer.hasPrefix("<|open|>") || buffer.hasPrefix("<|close|>") {
                events.append(.malformed("the output ends inside a marker or tag: '\(buffer.prefix(40))' (truncated output?)"))
            } else {
                emitText(buffer, into: &events)
            }
            buffer = ""
        }
        if let call {
            events.append(.call(tool: call.tool, index: call.index, arguments: Self.argumentsText(call), complete: false))
            events.append(.malformed("tool call '\(call.tool)' is cut off before <|close|>call<|sep|> (truncated output?)"))
            self.call = nil
        }
        return events
    }

    private mutating func emitText(_ text: String, into events: inout [Event]) {
        guard !text.isEmpty else { return }
        if argument != nil {
            argument?.value += text
        } else if json != nil {
            json? += text
        } else if stack.last == "think" {
            append(.reasoning(text), to: &events)
        } else if stack.last == "response" {
            append(.content(text), to: &events)
        } else if !text.allSatisfy(\.isWhitespace) {
            events.append(.malformed("text '\(text.prefix(40))' outside think, response and arguments"))
        }
    }

    private func append(_ event: Event, to events: inout [Event]) {
        switch (events.last, event) {
        case let (.reasoning(a)?, .reasoning(b)): events[events.count - 1] = .reasoning(a + b)
        case let (.content(a)?, .content(b)): events[events.count - 1] = .content(a + b)
        default: events.append(event)
        }
    }

    private mutating func open(_ text: String, into events: inout [Event]) {
        guard let tag = XTMLText.parseTag(text) else {
            events.append(.malformed("<|open|>\(text.prefix(40))<|sep|> is not an XTML tag"))
            return
        }
        switch tag.name {
        case "call":
            if stack.last != "tools" { events.append(.malformed("a call outside <|open|>tools<|sep|>")) }
            call = (tag.unescaped("tool") ?? "", tag.unescaped("index") ?? "", [], nil)
        case "argument":
            if call == nil { events.append(.malformed("an argument outside any call")) }
            argument = (tag.unescaped("key") ?? "", tag.unescaped("type") ?? "string", "")
        case "json":
            if call == nil { events.append(.malformed("a json block outside any call")) }
            json = ""
        default:
            break
        }
        stack.append(tag.name)
    }

    private mutating func close(_ name: String, into events: inout [Event]) {
        guard stack.last == name else {
            events.append(.malformed("<|close|>\(name)<|sep|> while \(stack.last.map { "'\($0)'" } ?? "nothing") is open"))
            if let position = stack.lastIndex(of: name) { stack.removeSubrange(position...) }
            return
        }
        stack.removeLast()
        switch name {
        case "argument":
            if let argument { call?.arguments.append(argument) }
            argument = nil
        case "json":
            call?.json = json
            json = nil
        case "call":
            if let call { events.append(.call(tool: call.tool, index: call.index, arguments: Self.argumentsText(call), complete: true)) }
            call = nil
        default:
            break
        }
    }

    /// One JSON object text from typed arguments (a string is quoted, other types are their
    /// text as written), or the json block as written.
    private static func argumentsText(_ call: (tool: String, index: String, arguments: [(key: String, type: String, value: String)], json: String?)) -> String {
        if let json = call.json { return json }
        let fields = call.arguments.map { argument in
            Value.jsonQuoted(argument.key) + ": " + (argument.type == "string" ? Value.jsonQuoted(argument.value) : argument.value)
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
