import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiEngineClient
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok compare`: an engine's token IDs against the reference.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare an engine's token IDs with the reference and explain the first divergence.",
        discussion: """
            With --messages, a difference that an engine profile explains is named by the engine step \
            that made it (engine-content-format, engine-tool-declaration-nulls, engine-user-turn-rewrite, \
            … docs/cli.md lists them). --engine-profile vllm|sglang also compares the engine's IDs with \
            what that engine builds; --engine-profile auto tries every profile (endpoints and content \
            formats too) and reports those that build exactly the engine's IDs. \
            Exit status: 0 equal to the reference, 1 different, 2 bad input.
            """)

    @Option(help: "The engine's token IDs ('-' for stdin), in any shape engines return them.") var engine: String?
    @Option(name: .customLong("engine-url"), help: "Fetch the engine's IDs from this server's /tokenize (vLLM shape).")
    var engineURL: String?
    @Option(name: .customLong("engine-model"), help: "The model name to send with --engine-url.") var engineModel: String?
    @Option(parsing: .unconditional, help: "Seconds to wait for --engine-url (1 to 3600).") var timeout: Double = 60
    @Option(
        name: .customLong("engine-profile"),
        help: "reference, vllm, sglang or auto: also compare with the prompt that engine builds, or find the profiles that build the IDs (needs --messages).")
    var engineProfile = "reference"
    @Option(help: "chat or tokenize: the engine path (with --engine-profile sglang).") var endpoint: EngineRenderOptions.Endpoint = .chat

    /// The profile `--engine-profile` names (`nil` for auto).
    private var namedProfile: EngineName? { EngineName(rawValue: engineProfile) }
    @OptionGroup var format: ContentFormatOption
    @OptionGroup var reference: ReferenceOptions
    @Flag(help: "Print one JSON object: equal, first_divergence, hunks, classification.") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if (engine == nil) == (engineURL == nil) { throw ValidationError("give exactly one of --engine, --engine-url") }
        if !timeout.isFinite || timeout < 1 || timeout > 3600 { throw ValidationError("--timeout must be from 1 to 3600 seconds, not \(timeout)") }
        if engineProfile != "auto", namedProfile == nil {
            throw ValidationError(
                "--engine-profile is \(EngineName.allCases.map(\.rawValue).joined(separator: ", ")) or auto, not '\(engineProfile)'")
        }
        if engineProfile != "reference", reference.messages == nil { throw ValidationError("--engine-profile \(engineProfile) needs --messages") }
        try StandardInputUse.requireOnce([
            "--engine": engine, "--messages": reference.messages, "--tools": reference.tools,
            "--template": reference.template, "--prompt-file": reference.promptFile,
            "--ids-file": reference.idsFile,
        ])
    }

    func run() throws {
        let tokenizer = try model.loadTokenizer()
        let input = try reference.input(
            engine: namedProfile?.profile ?? EngineProfiles.reference, contentFormat: format.contentFormat, endpoint: endpoint)
        let inspected = try model.inspected(tokenizer: tokenizer, templatePath: reference.template)
        let engineIDs: [Int]
        if let engine {
            engineIDs = try EngineTokenIDs.parse(try InputBytes.read(engine))
        } else {
            guard let engineURL, let url = URL(string: engineURL), url.scheme == "http" else {
                throw ValidationError("--engine-url must be an http:// URL")
            }
            let client = EngineTokenizeClient(baseURL: url, model: engineModel, timeout: timeout)
            switch input.source {
            case let .request(request):
                engineIDs = try client.tokenize(
                    request: request, addGenerationPrompt: input.expectsGenerationPrompt, templateVariables: input.variables)
            case let .prompt(text):
                engineIDs = try client.tokenize(prompt: text)
            case let .ids(ids):
                engineIDs = try client.tokenize(prompt: try tokenizer.decode(ids))
            }
        }
        let report = try ComparisonReport(engineIDs: engineIDs, input: input, model: inspected, autoProfile: engineProfile == "auto")
        if json {
            try Output.json(report)
        } else {
            Output.standardOutput(report.text)
        }
        if !report.equal { throw ExitCode(1) }
    }
}
