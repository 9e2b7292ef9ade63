import KimiChatTemplate

/// Rewrites the tool-call IDs of a chat request's history to `functions.NAME:IDX` (IDX counting
/// calls in order from 0) and points each tool message's `tool_call_id` at its call's new ID.
/// Only those string values change; every other byte of the JSON stays as it was.
public enum ToolCallIDNormalizer {
    public struct Result: Sendable {
        /// The rewritten request, byte-stable outside the rewritten IDs.
        public let json: [UInt8]
        /// Old ID → new ID, in call order.
        public let renamed: [(old: String, new: String)]
    }

    public static func normalize(_ json: [UInt8]) throws -> Result {
        let (document, spans) = try JSONReader.parseWithStringSpans(json)
        let messagesPath: [JSONReader.PathComponent]
        let messages: [Value]
        switch document {
        case let .list(box): (messagesPath, messages) = ([], box.items)
        case let .dict(box):
            guard case let .list(list)? = box[.string("messages")] else {
                throw ChatRequest.ShapeError(description: "the request object has no 'messages' array")
            }
            (messagesPath, messages) = ([.key("messages")], list.items)
        default:
            throw ChatRequest.ShapeError(description: "expected an array of messages or a request object")
        }
        var replacements: [(Range<Int>, String)] = []
        var renamed: [(old: String, new: String)] = []
        var newIDs: [String: [String]] = [:] // old ID → new IDs not yet answered by a tool message
        var counter = 0
        // The last string at a path is the one the reader kept: a later duplicate key wins, and
        // whatever it shadows comes earlier in the text.
        func span(_ path: [JSONReader.PathComponent]) -> Range<Int>? {
            spans.last { $0.path == messagesPath + path }?.range
        }
        for (index, message) in messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            if case let .list(calls)? = box[.string("tool_calls")] {
                for (callIndex, call) in calls.items.enumerated() {
                    guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.string("function")],
                          case let .string(name)? = function[.string("name")] else { continue }
                    let newID = "functions.\(name):\(counter)"
                    counter += 1
                    guard case let .string(oldID)? = callBox[.string("id")],
                          let range = span([.index(index), .key("tool_calls"), .index(callIndex), .key("id")]) else { continue }
                    renamed.append((oldID, newID))
                    newIDs[oldID, default: []].append(newID)
                    if oldID != newID { replacements.append((range, newID)) }
                }
            }
            if case let .string(oldID)? = box[.string("tool_call_id")], var pending = newIDs[oldID], !pending.isEmpty,
               let range = span([.index(index), .key("tool_call_id")]) {
                let newID = pending.removeFirst()
                newIDs[oldID] = pending.isEmpty ? [newID] : pending
                if oldID != newID { replacements.append((range, newID)) }
            }
        }
        var output = json
        for (range, newID) in replacements.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
            output.replaceSubrange(range, with: Array(Value.jsonQuoted(newID).utf8))
        }
        return Result(json: output, renamed: renamed)
    }
}
