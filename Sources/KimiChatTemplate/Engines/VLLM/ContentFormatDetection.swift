/// vLLM's detection of a chat template's content format: `openai` when the template loops over
/// a message's content (`{% for part in message['content'] %}`, also through filters, tests and
/// slices), where a message is the target of a loop over `messages` or over a variable assigned
/// from it; `string` otherwise. The walk is syntactic, as vLLM's is: content reached through a
/// macro parameter or a method call (`msg.get('content')`) is not seen. Where vLLM's walk meets
/// an assignment or loop target that is not a plain name, it gives up and the default, `string`,
/// applies.
enum ContentFormatDetection {
    private struct Unsupported: Error {}

    static func detect(_ template: Template) -> ContentFormat {
        do {
            return try hasContentLoop(template.body) ? .openai : .string
        } catch {
            return .string
        }
    }

    private static func hasContentLoop(_ body: [Statement]) throws -> Bool {
        let statements = Statement.flattened(body)
        // Variables that hold `messages` or a part of it, breadth first, as vLLM walks them.
        var messageLists = ["messages"]
        var queue = ["messages"]
        while !queue.isEmpty {
            let name = queue.removeFirst()
            for case let .assign(target, value, _) in statements where value.reads(name) {
                guard case let .name(assigned) = target else { throw Unsupported() }
                messageLists.append(assigned)
                if assigned != name { queue.append(assigned) }
            }
        }
        var messageItems: [String] = []
        for case let .loop(target, iterable, _, _, _, _, _) in statements where messageLists.contains(where: { iterable.reads($0) }) {
            guard case let .name(item) = target else { throw Unsupported() }
            messageItems.append(item)
        }
        for case let .loop(target, iterable, _, _, _, _, _) in statements where messageItems.contains(where: { iterable.reads($0, key: "content") }) {
            guard case .name = target else { throw Unsupported() }
            return true
        }
        return false
    }
}
