import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiTokenizer

/// `kimi-tok render`: a chat request to the prompt an engine builds from it.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a chat request with the model's Jinja chat template, as engines do.",
        discussion: """
            The messages file holds a JSON array of messages or a request object with 'messages' \
            (and optionally 'tools'). The template is --template, else chat_template.jinja in the \
            model directory, else the 'chat_template' field of its tokenizer_config.json.
            """)

    @Option(help: "JSON messages, or a request object with 'messages' and 'tools' ('-' for stdin).") var messages: String
    @Option(help: "JSON array of tools, or an object with 'tools'.") var tools: String?
    @Option(help: "Jinja chat template file.") var template: String?
    @Flag(help: "Do not end with the assistant generation prompt (add_generation_prompt=False).")
    var noGenerationPrompt = false
    @Option(name: .customLong("variable"), help: ArgumentHelp(
        "A template variable as NAME=JSON, like an apply_chat_template keyword (repeatable).",
        discussion: "For example --variable thinking=false for Kimi K2.5's non-thinking mode."))
    var variables: [String] = []
    @Flag(help: "Print one JSON object: prompt, ids.") var json = false
    @Flag(help: "Show the token stream of the prompt instead of its text.") var tokens = false
    @Option(help: "auto, always or never (with --tokens).") var color: TokenStreamOutput.ColorChoice = .auto
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if json, tokens { throw ValidationError("give --json or --tokens, not both") }
    }

    func run() throws {
        let request = try ChatRequest.read(messagesJSON: try InputBytes.read(messages),
                                           toolsJSON: try tools.map(InputBytes.read))
        let directory = try ModelDirectory.resolve(option: model.modelDirectory)
        let tokenizer = try model.loadTokenizer()
        let (source, name) = try ChatTemplateSource.load(templatePath: template, modelDirectory: directory)
        let renderer = ChatRenderer(
            template: try Template(source: source, name: name),
            specialTokenVariables: try ChatRenderer.specialTokenVariables(
                configJSON: try InputBytes.read(directory.tokenizerConfigPath)))
        let prompt = try renderer.render(request, addGenerationPrompt: !noGenerationPrompt,
                                         variables: try TemplateVariables.parse(variables))
        if json {
            try Output.json(RenderResult(prompt: prompt, ids: try tokenizer.encode(prompt, mode: .hf)))
        } else if tokens {
            Output.standardOutput(try TokenStreamOutput.table(try tokenizer.encode(prompt, mode: .hf), tokenizer, color: color))
        } else {
            Output.standardOutput(Output.isTerminal ? prompt + "\n" : prompt)
        }
    }

    private struct RenderResult: Encodable {
        let prompt: String
        let ids: [Int]
    }
}
