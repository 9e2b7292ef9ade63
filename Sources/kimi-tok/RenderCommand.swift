import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiIO
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

    @Option(help: "JSON messages, or a request object with 'messages' and 'tools' ('-' for stdin).") var messages: String?
    @Option(help: "JSON array of tools, or an object with 'tools'.") var tools: String?
    @Option(help: "Jinja chat template file.") var template: String?
    @Flag(help: "Do not end with the assistant generation prompt (add_generation_prompt=False).")
    var noGenerationPrompt = false
    @Option(
        name: .customLong("variable"),
        help: ArgumentHelp(
            "A template variable as NAME=JSON, like an apply_chat_template keyword (repeatable).",
            discussion: "For example --variable thinking=false for Kimi K2.5's non-thinking mode."))
    var variables: [String] = []
    @Flag(help: "Print one JSON object: family, prompt, ids (and content_format with --engine vllm).") var json = false
    @OptionGroup var engine: EngineOptions
    @Flag(
        name: .customLong("tools-only"),
        help: ArgumentHelp(
            "Print only the tool declaration the model sees (for K2.5: the TypeScript tools_ts_str).",
            discussion: "Needs tools (--tools, or a request with tools); --messages may be left out."))
    var toolsOnly = false
    @Flag(help: "Show the token stream of the prompt instead of its text.") var tokens = false
    @Option(help: "auto, always or never (with --tokens).") var color: TokenStreamOutput.ColorChoice = .auto
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if json, tokens { throw ValidationError("give --json or --tokens, not both") }
        if messages == nil, !toolsOnly { throw ValidationError("give --messages (a chat request to render)") }
        if toolsOnly, tools == nil, messages == nil { throw ValidationError("--tools-only needs --tools or a request with tools") }
        try StandardInputUse.requireOnce(["--messages": messages, "--tools": tools, "--template": template])
    }

    func run() throws {
        let request = try ChatRequest.read(
            messagesJSON: try messages.map(InputBytes.read) ?? Array("[]".utf8),
            toolsJSON: try tools.map(InputBytes.read))
        let tokenizer = try model.loadTokenizer()
        let renderer = try model.renderer(templatePath: template, tokenizer: tokenizer)
        if toolsOnly {
            let declaration = try renderer.toolDeclaration(request, variables: try TemplateVariables.parse(variables))
            if let note = declaration.note { Output.standardError("kimi-tok: \(note)\n") }
            Output.standardOutput(declaration.text.hasSuffix("\n") ? declaration.text : declaration.text + "\n")
            return
        }
        // The request's own fields when it has them; the flags override.
        var templateVariables = try TemplateVariables.parse(variables)
        if templateVariables.isEmpty { templateVariables = request.templateKwargs }
        let addGenerationPrompt = noGenerationPrompt ? false : (request.field("add_generation_prompt")?.isTruthy ?? true)
        let rendering = try renderer.render(
            request, engine: engine.engine,
            EngineRenderOptions(
                contentFormat: engine.contentFormat, endpoint: engine.endpoint, addGenerationPrompt: addGenerationPrompt,
                variables: templateVariables))
        if json {
            try Output.json(try RenderReport(rendering, family: renderer.family, tokenizer: tokenizer))
        } else if tokens {
            let ids = try rendering.ids(with: tokenizer)
            let starts = try rendering.segments.map { try TokenStreamOutput.segmentStarts($0, tokenizer) } ?? [:]
            Output.standardOutput(try TokenStreamOutput.table(ids, tokenizer, color: color, segmentStarts: starts))
        } else {
            Output.standardOutput(Output.isTerminal ? rendering.prompt + "\n" : rendering.prompt)
        }
    }
}
