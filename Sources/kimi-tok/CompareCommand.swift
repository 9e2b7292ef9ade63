import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok compare`: an engine's token IDs against the reference.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare an engine's token IDs with the reference and explain the first divergence.",
        discussion: "Exit status: 0 equal, 1 different, 2 bad input.")

    @Option(help: "The engine's token IDs ('-' for stdin), in any shape engines return them.") var engine: String?
    @Option(name: .customLong("engine-url"), help: "Fetch the engine's IDs from this server's /tokenize (vLLM shape).")
    var engineURL: String?
    @Option(name: .customLong("engine-model"), help: "The model name to send with --engine-url.") var engineModel: String?
    @Option(parsing: .unconditional, help: "Seconds to wait for --engine-url (1 to 3600).") var timeout: Double = 60
    @OptionGroup var reference: ReferenceOptions
    @Flag(help: "Print one JSON object: equal, first_divergence, hunks, classification.") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if (engine == nil) == (engineURL == nil) { throw ValidationError("give exactly one of --engine, --engine-url") }
        if !timeout.isFinite || timeout < 1 || timeout > 3600 { throw ValidationError("--timeout must be from 1 to 3600 seconds, not \(timeout)") }
        try StandardInputUse.requireOnce([
            "--engine": engine, "--messages": reference.messages, "--tools": reference.tools,
            "--template": reference.template, "--prompt-file": reference.promptFile,
            "--ids-file": reference.idsFile,
        ])
    }

    func run() throws {
        let tokenizer = try model.loadTokenizer()
        let request = try reference.request()
        let referenceIDs = try reference.ids(tokenizer: tokenizer, model: model, request: request)
        let engineIDs: [Int]
        if let engine {
            engineIDs = try EngineTokenIDs.parse(try InputBytes.read(engine))
        } else {
            guard let engineURL, let url = URL(string: engineURL), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--engine-url must be an http(s) URL")
            }
            let client = EngineTokenizeClient(baseURL: url, model: engineModel, timeout: timeout)
            if let request {
                engineIDs = try client.tokenize(
                    request: request, addGenerationPrompt: reference.expectsGenerationPrompt,
                    templateVariables: try TemplateVariables.parse(reference.variables))
            } else if let promptFile = reference.promptFile {
                engineIDs = try client.tokenize(prompt: try UTF8Input.decode(try InputBytes.read(promptFile)))
            } else {
                engineIDs = try client.tokenize(prompt: try tokenizer.decode(referenceIDs))
            }
        }
        let comparison = StreamComparison(
            reference: referenceIDs, engine: engineIDs, tokenizer: tokenizer,
            family: try model.resolvedFamily(tokenizer: tokenizer))
        if json {
            try Output.json(comparison)
        } else {
            Output.standardOutput(comparison.report)
        }
        if !comparison.equal { throw ExitCode(1) }
    }
}
