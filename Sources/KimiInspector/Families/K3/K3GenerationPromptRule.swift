import KimiChatTemplate
import KimiTokenizer

/// A K3 prompt ends with the assistant message opened and its `think` channel (thinking) or
/// `response` channel (not), and the mode should be the one requested.
struct K3GenerationPromptRule: PromptRule {
    let markers: K3Markers

    func findings(in context: PromptContext) -> [Finding] {
        guard context.options.expectGenerationPrompt else { return [] }
        let stream = context.stream
        guard let (ids, thinking) = markers.generationPrompts.first(where: { stream.ids.reversed().starts(with: $0.ids.reversed()) }) else {
            return [
                context.finding(
                    .missingGenerationPrompt, .error, at: stream.count,
                    "the stream does not end with K3's generation prompt <|open|>message role=\"assistant\"<|sep|><|open|>think<|sep|> (or …response<|sep|> without thinking); it ends with \(stream.count > 0 ? stream.visible(max(0, stream.count - 3)..<stream.count) : "nothing")",
                    fix: "render with add_generation_prompt=True (K3's tokenizer class does by default)")
            ]
        }
        let start = stream.count - ids.count
        let mode = thinking ? "<|open|>think<|sep|> (thinking)" : "<|open|>response<|sep|> (thinking off)"
        var findings = [context.finding(.generationPrompt, .info, at: start, "the prompt ends with the K3 generation prompt \(mode)", fix: "nothing to fix")]
        let requested = context.options.thinking ?? true
        if requested != thinking {
            findings.append(
                context.finding(
                    .thinkingModeMismatch, .warning, at: start, "the prompt ends with \(mode) but thinking=\(requested) was requested",
                    fix: "pass thinking=\(requested) to the tokenizer class (chat_template_kwargs)"))
        }
        return findings
    }
}
