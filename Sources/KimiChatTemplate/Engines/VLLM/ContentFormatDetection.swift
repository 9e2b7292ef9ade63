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
        let statements = flatten(body)
        // Variables that hold `messages` or a part of it, breadth first, as vLLM walks them.
        var messageLists = ["messages"]
        var queue = ["messages"]
        while !queue.isEmpty {
            let name = queue.removeFirst()
            for case let .assign(target, value, _) in statements where accesses(value, name, key: nil) {
                guard case let .name(assigned) = target else { throw Unsupported() }
                messageLists.append(assigned)
                if assigned != name { queue.append(assigned) }
            }
        }
        var messageItems: [String] = []
        for case let .loop(target, iterable, _, _, _, _, _) in statements
        where messageLists.contains(where: { accesses(iterable, $0, key: nil) }) {
            guard case let .name(item) = target else { throw Unsupported() }
            messageItems.append(item)
        }
        for case let .loop(target, iterable, _, _, _, _, _) in statements
        where messageItems.contains(where: { accesses(iterable, $0, key: "content") }) {
            guard case .name = target else { throw Unsupported() }
            return true
        }
        return false
    }

    /// Every statement, nested ones included, in document order.
    private static func flatten(_ body: [Statement]) -> [Statement] {
        var result: [Statement] = []
        for statement in body {
            result.append(statement)
            switch statement {
            case let .conditional(branches, otherwise, _):
                for (_, branch) in branches { result += flatten(branch) }
                result += flatten(otherwise)
            case let .loop(_, _, _, loopBody, otherwise, _, _):
                result += flatten(loopBody) + flatten(otherwise)
            case let .with(_, withBody, _):
                result += flatten(withBody)
            case let .assignBlock(_, blockBody, _):
                result += flatten(blockBody)
            case let .macro(macro):
                result += flatten(macro.body)
            case .text, .output, .assign, .breakLoop, .continueLoop:
                break
            }
        }
        return result
    }

    /// `name`, or `name[key]` / `name.key` when `key` is given, possibly behind filters, tests
    /// and slices.
    private static func accesses(_ expression: Expression, _ name: String, key: String?) -> Bool {
        switch expression.kind {
        case let .filter(base, _, _, _): return accesses(base, name, key: key)
        case let .test(base, _, _, _): return accesses(base, name, key: key)
        case let .slice(base, _, _, _): return accesses(base, name, key: key)
        default: break
        }
        guard let key else { return isName(expression, name) }
        switch expression.kind {
        case let .item(base, index):
            if case let .literal(.string(text)) = index.kind { return text == key && isName(base, name) }
            return false
        case let .attribute(base, attribute):
            return attribute == key && isName(base, name)
        default:
            return false
        }
    }

    private static func isName(_ expression: Expression, _ name: String) -> Bool {
        if case let .name(found) = expression.kind { return found == name }
        return false
    }
}
