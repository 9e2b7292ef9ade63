import KimiChatTemplate
import KimiTokenizer

/// The messages of a Kimi token stream, `<|im_ROLE|>name<|im_middle|>body<|im_end|>`, with the
/// tool calls inside assistant bodies, and what is malformed about them.
package struct PromptStructure: Sendable {
    public struct Message: Sendable {
        /// `system`, `user` or `assistant`, from the role marker.
        public let role: String
        /// The name between the marker and `<|im_middle|>` (e.g. `tool_declare`, `tool`).
        public let name: String
        /// Index of the role marker.
        public let start: Int
        /// Tokens of the body, after `<|im_middle|>`.
        public let body: Range<Int>
        /// Whether `<|im_end|>` closed it.
        public let closed: Bool
        public let toolCalls: [ToolCallSpan]
    }

    /// `<|tool_call_begin|>ID<|tool_call_argument_begin|>ARGS<|tool_call_end|>` in a stream.
    public struct ToolCallSpan: Sendable {
        public let id: String
        public let arguments: String
        /// Index of `<|tool_call_begin|>`.
        public let start: Int
        public let complete: Bool
    }

    public private(set) var messages: [Message] = []
    /// `malformed-structure` findings.
    public private(set) var findings: [Finding] = []

    public init(_ stream: TokenStream, markers: KimiMarkers) {
        var index = 0
        var reportedStrayText = false
        while index < stream.count {
            let id = stream.ids[index]
            if markers.isRoleMarker(id) {
                index = parseMessage(stream, markers, from: index)
                continue
            }
            if !stream.isSpecial[index] {
                if !reportedStrayText {
                    malformed(
                        stream, index, "text '\(stream.visible(index..<min(index + 5, stream.count)))' outside any message",
                        "every part of a Kimi prompt belongs to a <|im_ROLE|>…<|im_end|> message")
                    reportedStrayText = true
                }
            } else {
                malformed(
                    stream, index, "\(stream.visible(index..<index + 1)) outside any message",
                    "check the chat template: this marker must sit inside a message")
            }
            index += 1
        }
    }

    private mutating func malformed(_ stream: TokenStream, _ index: Int, _ message: String, _ fix: String) {
        findings.append(
            Finding(
                code: .malformedStructure, severity: .error, tokenIndex: index,
                characterOffset: stream.characterOffsets[index], message: message, fix: fix))
    }

    /// Parses one message from its role marker; returns the index after it.
    private mutating func parseMessage(_ stream: TokenStream, _ markers: KimiMarkers, from start: Int) -> Int {
        let roleID = stream.ids[start]
        let role = roleID == markers.imSystem ? "system" : roleID == markers.imUser ? "user" : "assistant"
        var index = start + 1
        while index < stream.count, stream.ids[index] != markers.imMiddle, !stream.isSpecial[index] { index += 1 }
        let name = stream.text(start + 1..<index)
        if index == stream.count {
            messages.append(Message(role: role, name: name, start: start, body: index..<index, closed: false, toolCalls: []))
            return index
        }
        if stream.ids[index] != markers.imMiddle {
            malformed(
                stream, index, "the \(role) header is not followed by <|im_middle|> (found \(stream.visible(index..<index + 1)))",
                "a role header is <|im_\(role)|>NAME<|im_middle|>")
            return index
        }
        let bodyStart = index + 1
        index = bodyStart
        var calls: [ToolCallSpan] = []
        var inSection = false
        var sectionStart = 0
        while index < stream.count {
            let id = stream.ids[index]
            if id == markers.imEnd || markers.isRoleMarker(id) { break }
            switch id {
            case markers.sectionBegin:
                if inSection {
                    malformed(
                        stream, index, "a tool-call section opens inside another", "close each <|tool_calls_section_begin|> with <|tool_calls_section_end|>")
                }
                inSection = true
                sectionStart = index
            case markers.sectionEnd:
                if !inSection {
                    malformed(stream, index, "<|tool_calls_section_end|> without a section begin", "open the section with <|tool_calls_section_begin|>")
                }
                inSection = false
            case markers.callBegin:
                if !inSection {
                    malformed(
                        stream, index, "<|tool_call_begin|> outside a tool-call section",
                        "tool calls go inside <|tool_calls_section_begin|>…<|tool_calls_section_end|>")
                }
                let (call, next) = parseCall(stream, markers, from: index)
                calls.append(call)
                index = next
                continue
            case markers.argumentBegin, markers.callEnd:
                malformed(
                    stream, index, "\(stream.visible(index..<index + 1)) without <|tool_call_begin|> before it",
                    "a call is <|tool_call_begin|>ID<|tool_call_argument_begin|>ARGS<|tool_call_end|>")
            default:
                break
            }
            index += 1
        }
        let closed = index < stream.count && stream.ids[index] == markers.imEnd
        if inSection, index < stream.count {
            malformed(
                stream, sectionStart, "the tool-call section is not closed before the message ends",
                "end it with <|tool_calls_section_end|>")
        }
        if index < stream.count, !closed {
            malformed(
                stream, index, "the \(role) message is not closed by <|im_end|> before the next one",
                "end every message with <|im_end|>")
        }
        messages.append(Message(role: role, name: name, start: start, body: bodyStart..<index, closed: closed, toolCalls: calls))
        return closed ? index + 1 : index
    }

    private mutating func parseCall(_ stream: TokenStream, _ markers: KimiMarkers, from start: Int) -> (ToolCallSpan, Int) {
        var index = start + 1
        while index < stream.count, !stream.isSpecial[index] { index += 1 }
        let id = stream.text(start + 1..<index)
        guard index < stream.count, stream.ids[index] == markers.argumentBegin else {
            if index < stream.count {
                malformed(
                    stream, index, "tool call '\(id)' has no <|tool_call_argument_begin|> (found \(stream.visible(index..<index + 1)))",
                    "a call is <|tool_call_begin|>ID<|tool_call_argument_begin|>ARGS<|tool_call_end|>")
            }
            return (ToolCallSpan(id: id, arguments: "", start: start, complete: false), index)
        }
        let argumentsStart = index + 1
        index = argumentsStart
        while index < stream.count, !stream.isSpecial[index] { index += 1 }
        let arguments = stream.text(argumentsStart..<index)
        guard index < stream.count, stream.ids[index] == markers.callEnd else {
            if index < stream.count {
                malformed(
                    stream, index, "tool call '\(id)' is not closed by <|tool_call_end|> (found \(stream.visible(index..<index + 1)))",
                    "end each call with <|tool_call_end|>")
            }
            return (ToolCallSpan(id: id, arguments: arguments, start: start, complete: false), index)
        }
        return (ToolCallSpan(id: id, arguments: arguments, start: start, complete: true), index + 1)
    }
}
