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
                ? "The prompt must end with the generation prompt (default, unless the request says add_generation_prompt: false)."
                : "The prompt is complete: no generation prompt expected or rendered."
        }
    }

    @Flag var generationPrompt: GenerationPrompt?

    /// The flag, else the request's own `add_generation_prompt`, else true.
    func expectsGenerationPrompt(_ request: ChatRequest?) -> Bool {
        if let generationPrompt { return generationPrompt == .expectGenerationPrompt }
        return request?.field("add_generation_prompt")?.isTruthy ?? true
    }

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

    /// Tools given on their own (`--tools` without `--messages`).
    func standaloneTools() throws -> [Value]? {
        guard messages == nil, let tools else { return nil }
        return try ChatRequest.readTools(InputBytes.read(tools))
    }

    /// What the options give, for the inspector: the request, prompt or IDs, with the tools,
    /// variables and generation-prompt expectation; `engine` builds the prompt from a request.
    func input(
        engine: any EngineProfile = EngineProfiles.reference, contentFormat: ContentFormat = .auto, endpoint: EngineRenderOptions.Endpoint = .chat
    ) throws -> InspectionInput {
        let source: InspectionInput.Source
        let request = try request()
        var templateVariables = try TemplateVariables.parse(variables)
        if let request {
            source = .request(request)
            if variables.isEmpty { templateVariables = request.templateKwargs }
        } else if let promptFile {
            source = .prompt(try UTF8Input.decode(try InputBytes.read(promptFile)))
        } else {
            source = .ids(try EngineTokenIDs.parse(try InputBytes.read(idsFile ?? "-")))
        }
        var input = InspectionInput(
            source: source, standaloneTools: try standaloneTools(), variables: templateVariables,
            expectsGenerationPrompt: expectsGenerationPrompt(request), engine: engine, contentFormat: contentFormat)
        input.endpoint = endpoint
        return input
    }
}
