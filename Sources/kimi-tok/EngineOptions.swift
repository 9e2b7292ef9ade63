import ArgumentParser
import KimiChatTemplate

extension EngineProfile: ExpressibleByArgument {}
extension ContentFormat: ExpressibleByArgument {}

/// vLLM's `--chat-template-content-format`, for the `vllm` engine profile.
struct ContentFormatOption: ParsableArguments {
    @Option(
        name: .customLong("content-format"),
        help: ArgumentHelp(
            "auto, string or openai: vLLM's --chat-template-content-format (with the vllm engine profile).",
            discussion: "auto detects openai when the template loops over a message's content, as vLLM does."))
    var contentFormat: ContentFormat = .auto
}
