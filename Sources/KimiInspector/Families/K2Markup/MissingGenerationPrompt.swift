import KimiChatTemplate
import KimiTokenizer

/// The finding for a stream that does not end with its family's generation prompt.
enum MissingGenerationPrompt {
    static func finding(_ context: PromptContext, expected: String) -> Finding {
        let stream = context.stream
        let ending = stream.count > 0 ? stream.visible(max(0, stream.count - 3)..<stream.count) : "nothing"
        return context.finding(
            .missingGenerationPrompt, .error, at: stream.count, "the stream does not end with \(expected); it ends with \(ending)",
            fix: "pass add_generation_prompt=True when rendering (vLLM/SGLang: the chat endpoint does; raw /completions must add it)")
    }
}
