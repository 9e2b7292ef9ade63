import KimiChatTemplate
import KimiTokenizer

/// A tool result the model sees as empty: a `tool` message whose body, after the
/// `## Return of ID` line the templates write, is blank. When the request gave that result as
/// text, the engine lost it (llama.cpp's Jinja prints a list of text parts as nothing); when it
/// gave it empty, the tool returned nothing.
struct EmptyToolResultRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        let stream = context.stream
        let sent = (context.options.request?.messages ?? []).compactMap(MessageView.init).filter { $0.role == "tool" }
        var findings: [Finding] = []
        var position = 0
        for message in prompt.structure.messages where message.name == "tool" {
            defer { position += 1 }
            var body = stream.text(message.body)
            if body.hasPrefix("## Return of "), let newline = body.firstIndex(of: "\n") { body = String(body[body.index(after: newline)...]) }
            guard body.allSatisfy(\.isWhitespace) else { continue }
            let given = position < sent.count ? Self.text(of: sent[position].content) : nil
            let index = message.body.isEmpty ? message.start : message.body.lowerBound
            if let given, !given.allSatisfy(\.isWhitespace) {
                let cause = context.engineCause(of: .emptyToolResult)
                findings.append(
                    context.finding(
                        .emptyToolResult, .error, at: index,
                        "tool result \(position) is empty in the prompt, but the request gave it as \(given.prefix(40).debugDescription)"
                            + (cause.map { " (\($0.note))" } ?? ""),
                        fix: cause?.fix ?? "render the tool result's text: send it as a string, or use a template that iterates its parts"))
            } else {
                findings.append(
                    context.finding(
                        .emptyToolResult, .warning, at: index, "tool result \(position) is empty: the model sees no result for its call",
                        fix: "send what the tool returned (an empty result reads as a failed call)"))
            }
        }
        return findings
    }

    /// The text of a tool message's content: a string, or its text parts joined.
    private static func text(of content: Value?) -> String? {
        switch content {
        case let .string(text)?: return text
        case let .list(parts)?:
            return parts.items.compactMap { part -> String? in
                guard case let .dict(box) = part else { return nil }
                return box[.text]?.stringValue
            }.joined()
        default: return nil
        }
    }
}
