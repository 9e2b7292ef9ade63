import KimiChatTemplate
import KimiIO

/// Rewrites the tool-call IDs of a chat request's history to `functions.NAME:IDX` (IDX counting
/// calls in order from 0) and points each tool message's `tool_call_id` at its call's new ID.
/// Only those string values change (and a call without an `id` gets one); every other byte of
/// the JSON stays as it was.
///
/// A tool result follows its own call: the most recent call with that ID that no result has
/// answered yet, else (a second result for one call) the most recent call with that ID. A
/// `tool_call_id` that no call has is left as it is and reported.
public enum ToolCallIDNormalizer {
    public struct Result: Sendable {
        /// The rewritten request, byte-stable outside the rewritten IDs.
        public let json: [UInt8]
        /// Old ID → new ID, in call order (a call that had no ID has old ID "").
        public let renamed: [(old: String, new: String)]
        /// What could not be normalized: tool results that answer no call, calls whose `id` is
        /// not a string.
        public let problems: [String]
    }

    /// A call seen so far with a given old ID.
    private struct Call {
        let newID: String
        var answered = false
    }

    public static func normalize(_ json: [UInt8]) throws -> Result {
        let (parsed, spans, objects) = try JSONReader.parseWithSpans(json)
        let document = Value(json: parsed)
        let messagesPath: [JSONReader.PathComponent]
        let messages: [Value]
        switch document {
        case let .list(box): (messagesPath, messages) = ([], box.items)
        case let .dict(box):
            guard case let .list(list)? = box[.messages] else {
                throw KimiError(.badInput, "the request object has no 'messages' array")
            }
            (messagesPath, messages) = ([.key("messages")], list.items)
        default:
            throw KimiError(.badInput, "expected an array of messages or a request object")
        }
        var edits: [(range: Range<Int>, text: String)] = []
        var renamed: [(old: String, new: String)] = []
        var problems: [String] = []
        var calls: [String: [Call]] = [:]
        var counter = 0
        // The last span at a path is the one the reader kept: a later duplicate key wins, and
        // whatever it shadows comes earlier in the text.
        func span(_ path: [JSONReader.PathComponent], in list: [JSONReader.StringSpan] = spans) -> Range<Int>? {
            list.last { $0.path == messagesPath + path }?.range
        }
        for (index, message) in messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            if case let .list(callList)? = box[.toolCalls] {
                for (callIndex, call) in callList.items.enumerated() {
                    guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.function],
                        case let .string(name)? = function[.name]
                    else { continue }
                    let newID = "functions.\(name):\(counter)"
                    counter += 1
                    let callPath: [JSONReader.PathComponent] = [.index(index), .key("tool_calls"), .index(callIndex)]
                    switch callBox[.id] {
                    case let .string(oldID)?:
                        guard let range = span(callPath + [.key("id")]) else { continue }
                        renamed.append((oldID, newID))
                        calls[oldID, default: []].append(Call(newID: newID))
                        if oldID != newID { edits.append((range, Value.jsonQuoted(newID))) }
                    case nil:
                        guard let object = span(callPath, in: objects) else { continue }
                        renamed.append(("", newID))
                        edits.append((object.lowerBound + 1..<object.lowerBound + 1, "\"id\": \(Value.jsonQuoted(newID)), "))
                    case let other?:
                        problems.append("message \(index) tool call \(callIndex): 'id' is \(other.typeName), not a string; left as it is")
                    }
                }
            }
            guard case let .string(oldID)? = box[.toolCallID], let range = span([.index(index), .key("tool_call_id")]) else {
                continue
            }
            guard var candidates = calls[oldID], !candidates.isEmpty else {
                problems.append("message \(index): tool_call_id '\(oldID)' answers no tool call before it; left as it is")
                continue
            }
            let chosen = candidates.lastIndex { !$0.answered } ?? candidates.count - 1
            candidates[chosen].answered = true
            calls[oldID] = candidates
            let newID = candidates[chosen].newID
            if oldID != newID { edits.append((range, Value.jsonQuoted(newID))) }
        }
        var output = json
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            output.replaceSubrange(edit.range, with: Array(edit.text.utf8))
        }
        return Result(json: output, renamed: renamed, problems: problems)
    }
}
