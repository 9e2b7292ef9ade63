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
    private static let markers = [sectionBegin, sectionEnd, callBegin, argumentBegin, callEnd].map { Array($0.utf8) }

    private enum State: Sendable { case content, section, callID, arguments }
    private var state = State.content
    /// Text not yet consumed, as UTF-8: markers are matched on bytes, so a marker is found
    /// however the stream is cut, even before a combining mark.
    private var buffer: [UInt8] = []
    private var callID = ""
    private var arguments = ""
    /// Text inside a section but outside any call, reported once the next marker or the end
    /// shows where it stops.
    private var strayText = ""

    public init() {}

    /// Parses `text` in one go.
    public static func parse(_ text: String) -> [Event] {
        var parser = ToolCallStreamParser()
        return parser.feed(text) + parser.finish()
    }

    /// Consumes the next chunk; returns what it completed.
    public mutating func feed(_ chunk: String) -> [Event] {
        buffer += chunk.utf8
        var events: [Event] = []
        var start = 0
        defer { buffer.removeFirst(start) }
        while true {
            guard let open = Self.markerStart(in: buffer, from: start) else {
                // A final "<" may begin a marker that the next chunk completes.
                let end = max(start, buffer.last == UInt8(ascii: "<") ? buffer.count - 1 : buffer.count)
                emitText(buffer[start..<end], into: &events)
                start = end
                return events
            }
            let rest = buffer[open...]
            guard let marker = Self.markers.first(where: { rest.starts(with: $0) }) else {
                // A prefix of a marker at the end may complete with the next chunk.
                if Self.markers.contains(where: { $0.starts(with: rest) }) {
                    emitText(buffer[start..<open], into: &events)
                    start = open
                    return events
                }
                emitText(buffer[start..<open + 2], into: &events)
                start = open + 2
                continue
            }
            emitText(buffer[start..<open], into: &events)
            start = open + marker.count
            handle(String(decoding: marker, as: UTF8.self), into: &events)
        }
    }

    /// Ends the stream: an open call or section is reported as truncated.
    public mutating func finish() -> [Event] {
        var events = feedRemainder()
        reportStrayText(into: &events)
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

    /// The offset of the next "<|" at or after `start`.
    private static func markerStart(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "|") { return index }
            index += 1
        }
        return nil
    }

    private mutating func feedRemainder() -> [Event] {
        var events: [Event] = []
        if buffer.count >= 2, Self.markers.contains(where: { $0.starts(with: buffer) }) {
            events.append(.malformed("the output ends inside a marker: '\(String(decoding: buffer, as: UTF8.self))' (truncated output?)"))
        }
        emitText(buffer[...], into: &events)
        buffer = []
        return events
    }

    private mutating func emitText(_ bytes: ArraySlice<UInt8>, into events: inout [Event]) {
        guard !bytes.isEmpty else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        switch state {
        case .content:
            if case let .content(previous)? = events.last {
                events[events.count - 1] = .content(previous + text)
            } else {
                events.append(.content(text))
            }
        case .section: strayText += text
        case .callID: callID += text
        case .arguments: arguments += text
        }
    }

    private mutating func reportStrayText(into events: inout [Event]) {
        if !strayText.allSatisfy(\.isWhitespace) {
            events.append(.malformed("text '\(strayText.prefix(40))' inside the tool-call section, outside any call"))
        }
        strayText = ""
    }

    private mutating func handle(_ marker: String, into events: inout [Event]) {
        reportStrayText(into: &events)
        switch (state, marker) {
        case (.content, Self.sectionBegin):
            state = .section
        case (.section, Self.callBegin):
            startCall()
        case (.callID, Self.argumentBegin):
            state = .arguments
        case (.arguments, Self.callEnd):
            events.append(.call(id: callID.trimmingWhitespace, arguments: arguments, complete: true))
            state = .section
        case (.section, Self.sectionEnd):
            state = .content
        case (.content, Self.callBegin):
            events.append(.malformed("<|tool_call_begin|> outside a tool-call section"))
            startCall()
        case (.callID, Self.callEnd):
            // Ended, but with no arguments: the call is whole and its (empty) arguments are the problem.
            let id = callID.trimmingWhitespace
            events.append(.malformed("tool call '\(id)' has no <|tool_call_argument_begin|> before <|tool_call_end|>"))
            events.append(.call(id: id, arguments: "", complete: true))
            state = .section
        case (.callID, Self.callBegin), (.arguments, Self.callBegin):
            // The next call begins before this one ended: report this one cut off, then parse the next.
            let id = callID.trimmingWhitespace
            events.append(.malformed("tool call '\(id)' is not closed before the next <|tool_call_begin|>"))
            events.append(.call(id: id, arguments: arguments, complete: false))
            startCall()
        default:
            events.append(.malformed("\(marker) out of order"))
            if state == .callID || state == .arguments {
                // The open call ends here, reported once.
                events.append(.call(id: callID.trimmingWhitespace, arguments: arguments, complete: false))
                state = .section
            }
            if marker == Self.sectionEnd { state = .content } else if marker == Self.sectionBegin { state = .section }
        }
    }

    private mutating func startCall() {
        state = .callID
        callID = ""
        arguments = ""
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
