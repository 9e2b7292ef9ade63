/// One tool call parsed from model output.
public struct ParsedToolCall: Sendable, Encodable {
    /// The ID between `<|tool_call_begin|>` and `<|tool_call_argument_begin|>`.
    public let id: String
    /// NAME of a `functions.NAME:IDX` ID, if the ID has that form.
    public let name: String?
    /// The raw arguments text.
    public let arguments: String
    /// Whether `<|tool_call_end|>` closed the call.
    public let complete: Bool
}

/// Parses Kimi tool-call sections out of model output, incrementally: feed chunks as they
/// stream in (markers may be split across chunks), then finish.
///
///     <|tool_calls_section_begin|><|tool_call_begin|>ID<|tool_call_argument_begin|>ARGS<|tool_call_end|>…<|tool_calls_section_end|>
public struct ToolCallStreamParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// Text outside tool-call sections.
        case content(String)
        case call(id: String, arguments: String, complete: Bool)
        /// Something out of place, e.g. a call outside a section, or a section never closed.
        case malformed(String)
    }

    static let sectionBegin = "<|tool_calls_section_begin|>"
    static let sectionEnd = "<|tool_calls_section_end|>"
    static let callBegin = "<|tool_call_begin|>"
    static let argumentBegin = "<|tool_call_argument_begin|>"
    static let callEnd = "<|tool_call_end|>"
    private static let markers = [sectionBegin, sectionEnd, callBegin, argumentBegin, callEnd]

    private enum State: Sendable { case content, section, callID, arguments }
    private var state = State.content
    private var buffer = ""
    private var callID = ""
    private var arguments = ""

    public init() {}

    /// Parses `text` in one go.
    public static func parse(_ text: String) -> [Event] {
        var parser = ToolCallStreamParser()
        return parser.feed(text) + parser.finish()
    }

    /// Consumes the next chunk; returns what it completed.
    public mutating func feed(_ chunk: String) -> [Event] {
        buffer += chunk
        var events: [Event] = []
        while true {
            guard let range = buffer.range(of: "<|") else {
                // A final "<" may begin a marker that the next chunk completes.
                let keep = buffer.hasSuffix("<") ? 1 : 0
                emitText(String(buffer.dropLast(keep)), into: &events)
                buffer = keep == 1 ? "<" : ""
                return events
            }
            let marker = Self.markers.first { buffer[range.lowerBound...].hasPrefix($0) }
            guard let marker else {
                // A prefix of a marker at the end may complete with the next chunk.
                let rest = buffer[range.lowerBound...]
                if Self.markers.contains(where: { $0.hasPrefix(rest) }) {
                    emitText(String(buffer[..<range.lowerBound]), into: &events)
                    buffer = String(rest)
                    return events
                }
                let upTo = buffer.index(range.lowerBound, offsetBy: 2)
                emitText(String(buffer[..<upTo]), into: &events)
                buffer = String(buffer[upTo...])
                continue
            }
            emitText(String(buffer[..<range.lowerBound]), into: &events)
            buffer = String(buffer[buffer.index(range.lowerBound, offsetBy: marker.count)...])
            handle(marker, into: &events)
        }
    }

    /// Ends the stream: an open call or section is reported as truncated.
    public mutating func finish() -> [Event] {
        var events = feedRemainder()
        switch state {
        case .content: break
        case .section: events.append(.malformed("the tool-call section is not closed (truncated output?)"))
        case .callID, .arguments:
            events.append(.call(id: callID, arguments: arguments, complete: false))
            events.append(.malformed("tool call '\(callID)' is cut off before <|tool_call_end|> (truncated output?)"))
        }
        state = .content
        return events
    }

    private mutating func feedRemainder() -> [Event] {
        var events: [Event] = []
        if buffer.count >= 2, Self.markers.contains(where: { $0.hasPrefix(buffer) }) {
            events.append(.malformed("the output ends inside a marker: '\(buffer)' (truncated output?)"))
        }
        emitText(buffer, into: &events)
        buffer = ""
        return events
    }

    private mutating func emitText(_ text: String, into events: inout [Event]) {
        guard !text.isEmpty else { return }
        switch state {
        case .content:
            if case let .content(previous)? = events.last {
                events[events.count - 1] = .content(previous + text)
            } else {
                events.append(.content(text))
            }
        case .section:
            if !text.allSatisfy(\.isWhitespace) {
                events.append(.malformed("text '\(text.prefix(40))' inside the tool-call section, outside any call"))
            }
        case .callID: callID += text
        case .arguments: arguments += text
        }
    }

    private mutating func handle(_ marker: String, into events: inout [Event]) {
        switch (state, marker) {
        case (.content, Self.sectionBegin):
            state = .section
        case (.section, Self.callBegin):
            state = .callID
            callID = ""
            arguments = ""
        case (.callID, Self.argumentBegin):
            state = .arguments
        case (.arguments, Self.callEnd):
            events.append(.call(id: callID.trimmingWhitespace, arguments: arguments, complete: true))
            state = .section
        case (.section, Self.sectionEnd):
            state = .content
        case (.content, Self.callBegin):
            events.append(.malformed("<|tool_call_begin|> outside a tool-call section"))
            state = .callID
            callID = ""
            arguments = ""
        default:
            events.append(.malformed("\(marker) out of order"))
            if state == .callID || state == .arguments {
                events.append(.call(id: callID.trimmingWhitespace, arguments: arguments, complete: false))
            }
            state = marker == Self.sectionEnd ? .content : marker == Self.sectionBegin ? .section : state
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
