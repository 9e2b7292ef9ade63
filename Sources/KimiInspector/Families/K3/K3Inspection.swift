import KimiChatTemplate
import KimiTokenizer

/// Kimi K3's prompts: XTML encoded segment by segment, `<|open|>call …` tool calls.
struct K3Inspection: FamilyInspection {
    let markers: K3Markers

    init?(_ tokenizer: KimiTokenizer) {
        guard let markers = K3Markers(tokenizer) else { return nil }
        self.markers = markers
    }

    var format: any ChatFormat { K3ChatFormat() }
    var encoding: PromptContext.Encoding { .segmentWise }

    var rules: [any PromptRule] {
        [
            K3StructureRule(markers: markers), K3GenerationPromptRule(markers: markers), K3UnclosedElementRule(markers: markers),
            JoinedTextEncodingRule(), IDsOutsideEmbeddingRule(), SpecialTokensInContentRule(),
        ]
    }

    var generationPrompts: [(ids: [Int], thinking: Bool?)] { markers.generationPrompts.map { ($0.ids, $0.thinking) } }

    func comparisonHint(_ comparison: ComparisonContext) -> (FindingCode, String)? {
        for (prompt, _) in markers.generationPrompts where comparison.lacksEnding(prompt) {
            return (.missingGenerationPrompt, "the engine's stream is the reference without (part of) K3's generation prompt")
        }
        let referenceStream = comparison.referenceStream
        let joined =
            referenceStream.isKnown.allSatisfy { $0 } ? try? comparison.tokenizer.encode(comparison.referenceText, mode: .hf) : nil
        if comparison.engine == joined {
            return (
                .joinedTextEncoding,
                "the engine encoded the joined prompt text; K3 encodes each segment on its own, so markers merge differently and a special-token string in text becomes a control token"
            )
        }
        return nil
    }
}
