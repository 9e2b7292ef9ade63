import ArgumentParser
import KimiChatTemplate

extension EngineName: ExpressibleByArgument {}
extension ContentFormat: ExpressibleByArgument {}
extension EngineRenderOptions.Endpoint: ExpressibleByArgument {}

/// `--engine reference|vllm` and `--content-format`: whose preprocessing builds the prompt
/// (`render`, `check`).
struct EngineOptions: ParsableArguments {
    @Option(
        name: .customLong("engine"),
        help: ArgumentHelp(
            "reference, vllm or sglang: whose preprocessing builds the prompt.",
            discussion:
                "reference is the model's own tokenizer class; vllm is what vLLM 0.33 builds (content format, argument parsing); sglang is what SGLang 0.5.23 builds (see --endpoint)."
        ))
    var engineName: EngineName = .reference
    @OptionGroup var format: ContentFormatOption
    @Option(
        help: ArgumentHelp(
            "chat or tokenize: the engine path that builds the prompt (with --engine sglang).",
            discussion: "chat is chat completions, what the model is given; tokenize is the engine's /v1/tokenize with messages."))
    var endpoint: EngineRenderOptions.Endpoint = .chat

    var contentFormat: ContentFormat { format.contentFormat }
    /// The profile `--engine` names.
    var engine: any EngineProfile { engineName.profile }
}

/// vLLM's `--chat-template-content-format`, for the `vllm` engine profile.
struct ContentFormatOption: ParsableArguments {
    @Option(
        name: .customLong("content-format"),
        help: ArgumentHelp(
            "auto, string or openai: vLLM's --chat-template-content-format (with the vllm engine profile).",
            discussion: "auto detects openai when the template loops over a message's content, as vLLM does."))
    var contentFormat: ContentFormat = .auto
}
