/// Reading a template's syntax tree the way engines inspect a chat template (vLLM and SGLang
/// detect its content format from it).
extension Statement {
    /// Every statement of `body`, nested ones included, in document order.
    package static func flattened(_ body: [Statement]) -> [Statement] {
        var result: [Statement] = []
        for statement in body {
            result.append(statement)
            switch statement {
            case let .conditional(branches, otherwise, _):
                for (_, branch) in branches { result += flattened(branch) }
                result += flattened(otherwise)
            case let .loop(_, _, _, loopBody, otherwise, _, _):
                result += flattened(loopBody) + flattened(otherwise)
            case let .with(_, withBody, _):
                result += flattened(withBody)
            case let .assignBlock(_, blockBody, _):
                result += flattened(blockBody)
            case let .macro(macro):
                result += flattened(macro.body)
            case .text, .output, .assign, .breakLoop, .continueLoop:
                break
            }
        }
        return result
    }
}

extension Expression {
    /// Whether this reads the variable `name` (or, with `key`, `name[key]` or `name.key`), also
    /// through filters, tests and slices.
    package func reads(_ name: String, key: String? = nil) -> Bool {
        switch kind {
        case let .filter(base, _, _, _), let .test(base, _, _, _), let .slice(base, _, _, _):
            return base.reads(name, key: key)
        default:
            break
        }
        guard let key else { return isName(name) }
        switch kind {
        case let .item(base, index):
            guard case let .literal(.string(text)) = index.kind else { return false }
            return text == key && base.isName(name)
        case let .attribute(base, attribute):
            return attribute == key && base.isName(name)
        default:
            return false
        }
    }

    private func isName(_ name: String) -> Bool {
        if case let .name(found) = kind { return found == name }
        return false
    }
}
