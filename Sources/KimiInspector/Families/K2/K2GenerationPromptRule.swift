import KimiChatTemplate
import KimiTokenizer

/// A K2 prompt ends with the assistant header `<|im_assistant|>assistant<|im_middle|>`; a
/// thinking model's template may open the reasoning (as text) right after it.
struct K2GenerationPromptRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        guard context.options.expectGenerationPrompt else { return [] }
        let stream = context.stream
        var end = stream.count
        let tail = stream.count > 0 ? stream.text(max(0, stream.count - 6)..<stream.count) : ""
        for opener in ["<think></think>", "<think>"] where tail.hasSuffix(opener) {
            var bytes = 0
            while end > 0, bytes < opener.utf8.count, !stream.isSpecial[end - 1] {
                end -= 1
                bytes += stream.piece(end).count
            }
            if bytes != opener.utf8.count { end = stream.count }
            break
        }
        guard !stream.ids[..<end].reversed().starts(with: markers.generationPrompt.reversed()) else { return [] }
        return [
            MissingGenerationPrompt.finding(
                context, expected: "<|im_assistant|>assistant<|im_middle|> (\(markers.generationPrompt.map(String.init).joined(separator: " ")))")
        ]
    }
}
