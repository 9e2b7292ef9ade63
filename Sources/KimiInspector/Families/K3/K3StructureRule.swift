import KimiChatTemplate
import KimiTokenizer

/// The XTML structure of a K3 prompt (see ``K3PromptWalk``).
struct K3StructureRule: PromptRule {
    let markers: K3Markers

    func findings(in context: PromptContext) -> [Finding] { K3PromptWalk.of(context, markers: markers).findings }
}

/// Elements opened and never closed; the generation prompt's two open elements are expected.
struct K3UnclosedElementRule: PromptRule {
    let markers: K3Markers

    func findings(in context: PromptContext) -> [Finding] {
        let walk = K3PromptWalk.of(context, markers: markers)
        let endsWithPrompt = markers.generationPrompts.contains { context.stream.ids.reversed().starts(with: $0.ids.reversed()) }
        let unclosed = context.options.expectGenerationPrompt && endsWithPrompt ? Array(walk.open.dropLast(2)) : walk.open
        return unclosed.map { element in
            context.finding(
                .malformedStructure, .error, at: element.start, "the \(element.tag.name) element opened at token \(element.start) is never closed",
                fix: "close every element with <|close|>NAME<|sep|>")
        }
    }
}
