import KimiChatTemplate
import KimiTokenizer

/// K2.5 ends a prompt with the assistant header and `<think>` (thinking) or `<think></think>`
/// (not), and the mode should be the one requested.
struct K25GenerationPromptRule: K2MarkupRule {
    let markers: KimiMarkers
    let prompts: [(ids: [Int], thinking: Bool?)]

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        guard context.options.expectGenerationPrompt else { return [] }
        let stream = context.stream
        guard let (ids, thinking) = prompts.first(where: { stream.ids.reversed().starts(with: $0.ids.reversed()) }), let thinking else {
            if stream.ids.reversed().starts(with: markers.generationPrompt.reversed()) {
                return [
                    context.finding(
                        .missingGenerationPrompt, .error, at: stream.count,
                        "the stream ends with the assistant header but not with <think> (thinking) or <think></think> (not thinking), which the K2.5 template adds",
                        fix: "render with K2.5's own template and tokenizer class (trust_remote_code), which end the prompt with <think>")
                ]
            }
            // In the order the text names them: thinking (<think>), then not (<think></think>).
            let spelled = [true, false].compactMap { mode in prompts.first { $0.thinking == mode } }
                .map { $0.ids.map(String.init).joined(separator: " ") }.joined(separator: " or ")
            return [
                MissingGenerationPrompt.finding(
                    context, expected: "a K2.5 generation prompt, <|im_assistant|>assistant<|im_middle|><think> or …<think></think> (\(spelled))")
            ]
        }
        let start = stream.count - ids.count
        let mode = thinking ? "<think> (thinking)" : "<think></think> (thinking off)"
        var findings = [
            context.finding(
                .generationPrompt, .info, at: start, "the prompt ends with the K2.5 generation prompt \(mode)",
                fix: "nothing to fix; pass thinking=\(!thinking) to get the other mode")
        ]
        let requested = context.options.thinking ?? true
        if requested != thinking {
            findings.append(
                context.finding(
                    .thinkingModeMismatch, .warning, at: start,
                    "the prompt ends with \(mode) but thinking=\(requested) was requested\(context.options.thinking == nil ? " (the K2.5 default)" : "")",
                    fix: "pass chat_template_kwargs {\"thinking\": \(requested)} to the engine, or check which mode you meant"))
        }
        return findings
    }
}
