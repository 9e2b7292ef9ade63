import KimiChatTemplate
import KimiTokenizer

/// Kimi K2's prompts: K2 markup, ending with the assistant header.
struct K2Inspection: K2MarkupInspection {
    let markers: KimiMarkers

    init?(_ tokenizer: KimiTokenizer) {
        guard let markers = KimiMarkers(tokenizer) else { return nil }
        self.markers = markers
    }

    var format: any ChatFormat { K2ChatFormat() }
    var declaresToolsInTypeScript: Bool { false }
    var generationPrompts: [(ids: [Int], thinking: Bool?)] { [(markers.generationPrompt, nil)] }
    var generationPromptRule: any PromptRule { K2GenerationPromptRule(markers: markers) }
}
