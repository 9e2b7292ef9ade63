import KimiChatTemplate
import KimiTokenizer

/// Kimi K2.5/K2.6's prompts: K2 markup, tools declared in TypeScript, and a generation prompt
/// that opens the reasoning (`<think>`) or closes it at once (`<think></think>`).
struct K25Inspection: K2MarkupInspection {
    let markers: KimiMarkers

    init?(_ tokenizer: KimiTokenizer) {
        guard let markers = KimiMarkers(tokenizer) else { return nil }
        self.markers = markers
    }

    var format: any ChatFormat { K25ChatFormat() }
    var declaresToolsInTypeScript: Bool { true }

    var generationPrompts: [(ids: [Int], thinking: Bool?)] {
        guard let thinkBegin = markers.thinkBegin, let thinkEnd = markers.thinkEnd else { return [(markers.generationPrompt, nil)] }
        return [(markers.generationPrompt + [thinkBegin, thinkEnd], false), (markers.generationPrompt + [thinkBegin], true)]
    }

    var generationPromptRule: any PromptRule { K25GenerationPromptRule(markers: markers, prompts: generationPrompts) }

    /// The engine declared the tools as JSON where the tokenizer class declares them in TypeScript.
    func textHint(_ comparison: ComparisonContext) -> (FindingCode, String)? {
        let engineText = comparison.engineText
        guard comparison.referenceText.contains("tool_declare<|im_middle|># Tools"),
            engineText.contains("tool_declare<|im_middle|>[") || engineText.contains("tool_declare<|im_middle|>{")
        else { return nil }
        return (
            .toolDeclarationJSON,
            "the engine declares the tools as JSON where Kimi K2.5/K2.6's tokenizer class declares them in TypeScript (tools_ts_str): it did not run the model's tokenizer class"
        )
    }
}
