/// SGLang's detection of a chat template's content format: `openai` as soon as the template's
/// text mentions `image`, `audio`, `video` or `vision`; else `openai` when a loop iterates
/// `message['content']` (or `msg`'s, or `m`'s), also through filters, tests and slices;
/// else `string`.
enum SGLangContentFormat {
    static func detect(_ template: Template) -> ContentFormat {
        if ["image", "audio", "video", "vision"].contains(where: template.source.contains) { return .openai }
        for case let .loop(_, iterable, _, _, _, _, _) in Statement.flattened(template.body)
        where ["message", "msg", "m"].contains(where: { iterable.reads($0, key: "content") }) {
            return .openai
        }
        return .string
    }
}
