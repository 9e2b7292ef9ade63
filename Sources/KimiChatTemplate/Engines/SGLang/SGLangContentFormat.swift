/// SGLang's detection of a chat template's content format: `openai` as soon as the template's
/// text mentions `image`, `audio`, `video` or `vision`; else `openai` when a loop iterates
/// `message['content']` (or `msg`'s, or `m`'s), also through filters, tests and slices;
/// else `string`.
enum SGLangContentFormat {
    static func detect(_ template: Template) -> ContentFormat {
        if ["image", "audio", "video", "vision"].contains(where: template.source.contains) { return .openai }
        return loopsOverContent(template.body) ? .openai : .string
    }

    private static func loopsOverContent(_ body: [Statement]) -> Bool {
        for statement in body {
            switch statement {
            case let .loop(_, iterable, _, loopBody, otherwise, _, _):
                if ["message", "msg", "m"].contains(where: { accesses(iterable, $0) }) { return true }
                if loopsOverContent(loopBody) || loopsOverContent(otherwise) { return true }
            case let .conditional(branches, otherwise, _):
                if branches.contains(where: { loopsOverContent($0.1) }) || loopsOverContent(otherwise) { return true }
            case let .with(_, withBody, _):
                if loopsOverContent(withBody) { return true }
            case let .assignBlock(_, blockBody, _):
                if loopsOverContent(blockBody) { return true }
            case let .macro(macro):
                if loopsOverContent(macro.body) { return true }
            case .text, .output, .assign, .breakLoop, .continueLoop:
                break
            }
        }
        return false
    }

    /// `name['content']` or `name.content`, possibly behind filters, tests and slices.
    private static func accesses(_ expression: Expression, _ name: String) -> Bool {
        switch expression.kind {
        case let .filter(base, _, _, _), let .test(base, _, _, _), let .slice(base, _, _, _):
            return accesses(base, name)
        case let .item(base, index):
            guard case let .literal(.string(key)) = index.kind, key == "content" else { return false }
            return isName(base, name)
        case let .attribute(base, attribute):
            return attribute == "content" && isName(base, name)
        default:
            return false
        }
    }

    private static func isName(_ expression: Expression, _ name: String) -> Bool {
        if case let .name(found) = expression.kind { return found == name }
        return false
    }
}
