import KimiChatTemplate
import KimiTokenizer

/// The message structure: what ``PromptStructure`` found malformed, and a leading `[BOS]`
/// (which Kimi's format does not have), reported as that rather than as a malformed start.
struct StructureRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        var findings = prompt.structure.findings
        if let bos = context.tokenizer.specialTokens.id(named: "[BOS]"), context.stream.ids.first == bos {
            findings.removeAll { $0.code == .malformedStructure && $0.tokenIndex == 0 }
            findings.append(
                context.finding(
                    .leadingBOS, .warning, at: 0,
                    "the stream starts with [BOS] (\(bos)), which Kimi's chat format does not have (llama.cpp adds one by default)",
                    fix: "do not add a BOS token for Kimi: llama.cpp --override-kv tokenizer.ggml.add_bos_token=bool:false, or add_special_tokens=False"))
        }
        return findings
    }
}
