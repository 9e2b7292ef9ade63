import KimiChatTemplate
import KimiTokenizer

/// What the K2-markup families (Kimi K2 and K2.5) share: markers from the vocabulary, the
/// rules of their messages and tool calls, the `<|tool_calls_section_begin|>` tool-call syntax,
/// and a stream that stops short of the generation prompt.
protocol K2MarkupInspection: FamilyInspection {
    var markers: KimiMarkers { get }
    /// The family's own generation-prompt rule.
    var generationPromptRule: any PromptRule { get }
    /// Whether the family declares tools in TypeScript.
    var declaresToolsInTypeScript: Bool { get }
}

extension K2MarkupInspection {
    var encoding: PromptContext.Encoding { .joined }

    var rules: [any PromptRule] {
        [
            StructureRule(markers: markers), IDsOutsideEmbeddingRule(), generationPromptRule, MarkersInTextRule(),
            ContentListLeakRule(markers: markers), ToolDeclarationRule(markers: markers, typeScript: declaresToolsInTypeScript),
            ToolCallIDRule(markers: markers), ReasoningRule(markers: markers), MediaRule(markers: markers), SpecialTokensInContentRule(),
            EmptyToolResultRule(markers: markers),
        ]
    }

    func comparisonHint(_ comparison: ComparisonContext) -> (FindingCode, String)? {
        for (prompt, _) in generationPrompts where comparison.lacksEnding(prompt) {
            let missing = TokenStream(
                ids: Array(comparison.reference.suffix(comparison.reference.count - comparison.engine.count)), tokenizer: comparison.tokenizer)
            return (
                .missingGenerationPrompt,
                "the engine's stream is the reference without the final \(missing.text(0..<missing.count)) of the generation prompt"
            )
        }
        return nil
    }
}
