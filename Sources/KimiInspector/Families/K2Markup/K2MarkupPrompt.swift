import KimiChatTemplate
import KimiTokenizer

/// A K2-markup prompt (Kimi K2 and K2.5 share it: `<|im_…|>` messages, tool-call sections) as
/// its rules read it: the markers of the vocabulary and the stream's messages, parsed once per
/// check.
struct K2MarkupPrompt {
    let markers: KimiMarkers
    let structure: PromptStructure

    /// The prompt of `context`, parsed with `markers` (shared by the rules of one check).
    static func of(_ context: PromptContext, markers: KimiMarkers) -> K2MarkupPrompt {
        context.derived { K2MarkupPrompt(markers: markers, structure: PromptStructure(context.stream, markers: markers)) }
    }
}

/// A rule over a K2-markup prompt.
protocol K2MarkupRule: PromptRule {
    var markers: KimiMarkers { get }
    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding]
}

extension K2MarkupRule {
    func findings(in context: PromptContext) -> [Finding] {
        findings(in: context, K2MarkupPrompt.of(context, markers: markers))
    }
}
