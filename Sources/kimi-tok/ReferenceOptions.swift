import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// Where the IDs to check (or the reference to compare with) come from: a chat request to
/// render, a prompt to encode, or IDs as engines return them.
struct ReferenceOptions: ParsableArguments {
    @Option(help: "JSON messages or a request object, rendered with the chat template.") var messages: String?
    @Option(help: "JSON tools (with --messages, or to check a prompt's tool declaration).") var tools: String?
    @Option(help: "Jinja chat template file (with --messages).") var template: String?
    @Option(name: .customLong("variable"), help: "A template variable as NAME=JSON (with --messages).")
    var variables: [String] = []
    @Option(name: .customLong("prompt-file"), help: "A prompt as text, encoded as engines do (hf mode).") var promptFile: String?
    @Option(name: .customLong("ids-file"), help: "Token IDs: a JSON array, an engine response, or numbers.") var idsFile: String?

    enum GenerationPrompt: EnumerableFlag {
        case expectGenerationPrompt, noGenerationPrompt

        static func help(for value: GenerationPrompt) -> ArgumentHelp? {
            value == .expectGenerationPrompt
                ? "The prompt must end with the generation prompt (default)."
                : "The prompt is complete: no generation prompt expected or rendered."
        }
    }

    @Flag var generationPrompt: GenerationPrompt = .expectGenerationPrompt

    var expectsGenerationPrompt: Bool { generationPrompt == .expectGenerationPrompt }

    func validate() throws {
        let given = [messages, promptFile, idsFile].compactMap { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --messages, --prompt-file, --ids-file") }
        try StandardInputUse.requireOnce([
            "--messages": messages, "--tools": tools, "--template": template,
            "--prompt-file": promptFile, "--ids-file": idsFile,
        ])
    }

    /// The request, if `--messages` was given.
    func request() throws -> ChatRequest? {
        guard let messages else { return nil }
        return try ChatRequest.read(messagesJSON: InputBytes.read(messages), toolsJSON: try tools.map(InputBytes.read))
    }

    /// The `thinking` given with `--variable`, if any.
    func thinking() throws -> Bool? {
        if case let .bool(value)? = try TemplateVariables.parse(variables)["thinking"] { return value }
        return nil
    }

    /// Tools given on their own (`--tools` without `--messages`).
    func standaloneTools() throws -> [Value]? {
        guard messages == nil, let tools else { return nil }
        return try ChatRequest.readTools(InputBytes.read(tools))
    }

    /// The token IDs: rendered (by `engine`'s profile) and encoded, encoded, or read.
    func ids(
        tokenizer: KimiTokenizer, model: ModelOptions, request: ChatRequest?,
        engine: EngineProfile = .reference, contentFormat: ContentFormat = .auto
    ) throws -> (ids: [Int], rendering: ChatRenderer.EngineRendering?) {
        if let request {
            let rendering = try model.renderer(templatePath: template, tokenizer: tokenizer).render(
                request, engine: engine, contentFormat: contentFormat, addGenerationPrompt: expectsGenerationPrompt,
                variables: try TemplateVariables.parse(variables))
            return (try rendering.ids(with: tokenizer), rendering)
        }
        return (try ids(tokenizer: tokenizer), nil)
    }

    /// The token IDs of a prompt file or an IDs file.
    private func ids(tokenizer: KimiTokenizer) throws -> [Int] {
        if let promptFile {
            return try tokenizer.encode(try UTF8Input.decode(try InputBytes.read(promptFile)), mode: .hf)
        }
        return try EngineTokenIDs.parse(try InputBytes.read(idsFile ?? "-"))
    }
}
