import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok parse-tool-calls`: tool calls in raw model output, validated.
struct ParseToolCallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-tool-calls",
        abstract: "Parse Kimi tool calls from raw model output and validate them.",
        discussion: """
            Kimi K3 output (XTML calls, detected or --family k3) is checked the same way, with the \
            call's index for the ID. Checks each call's ID (functions.NAME:IDX), that NAME is declared (--tools), that the \
            arguments are a JSON object satisfying the tool's parameters schema, and that nothing is \
            truncated. With --engine, also what that engine's own parsers return to the client for \
            the output (vLLM 0.33's kimi_k2/kimi_k3 parsers, SGLang 0.5.23's kimi_k2), and what \
            they lost or changed: dropped calls, rewritten IDs, cut arguments, markup in arguments \
            or content, reasoning that swallows the answer. --request gives the chat request the \
            output answers (its tools, tool_choice, chat_template_kwargs and history). Exit \
            status: 0 all valid, 1 problems found, 2 bad input.
            """)

    @Option(help: "The model output ('-' for stdin, the default).") var file: String?
    @Flag(help: "The input holds token IDs (any engine shape), decoded first: a completion response's output IDs, every choice.")
    var ids = false
    @Option(help: "With --ids: parse only this choice (from 0).") var choice: Int?
    @Option(help: "JSON tools (an array, or an object with 'tools').") var tools: String?
    @Option(help: "The engine whose parsers to run on the output: \(EngineOutputParsers.engineNames.joined(separator: ", ")).")
    var engine: String?
    @Option(help: "With --engine: the chat request (JSON) the output answers; its tools stand in for --tools.")
    var request: String?
    @Flag(help: "With --engine: the server runs the family's reasoning parser (--reasoning-parser).")
    var reasoningParser = false
    @Option(help: "With --engine: assistant tool calls in the request's history (default: counted in --request's messages).")
    var historyToolCalls: Int?
    @Option(help: "With --engine sglang: why generation stopped, stop or length.") var finishReason = "stop"
    @Flag(help: "With --engine: the client streams (as --request's \"stream\": true): the answer its deltas add up to.") var stream = false
    @Option(help: "With --engine llama.cpp: the --chat-template-file llama-server was started with (default: the GGUF's own, Kimi's).")
    var template: String?
    @Flag(help: "Print one JSON object: content, calls, malformed, summary (and engine_response, engine_findings).") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if choice != nil, !ids { throw ValidationError("--choice needs --ids") }
        if let choice, choice < 0 { throw ValidationError("--choice must be 0 or more, not \(choice)") }
        if engine == nil, request != nil || reasoningParser || historyToolCalls != nil || stream || template != nil {
            throw ValidationError("--request, --reasoning-parser, --history-tool-calls, --stream and --template go with --engine")
        }
        if let historyToolCalls, historyToolCalls < 0 { throw ValidationError("--history-tool-calls must be 0 or more") }
        if !["stop", "length"].contains(finishReason) { throw ValidationError("--finish-reason is stop or length, not '\(finishReason)'") }
        try StandardInputUse.requireOnce(["--file": file ?? "-", "--tools": tools, "--request": request, "--template": template])
    }

    func run() throws {
        let input = try InputBytes.read(file ?? "-")
        var declared = try tools.map { try ChatRequest.readTools(InputBytes.read($0)) }
        var engineRequest: ToolCallsReport.EngineRequest?
        if let engine {
            var context = EngineResponseContext(reasoningParser: reasoningParser, finishReason: finishReason)
            if let request {
                let body = try JSONReader.parseValue(InputBytes.read(request))
                guard case .dict = body else { throw KimiError(.badInput, "--request: expected a chat request (a JSON object)") }
                context = EngineResponseContext(request: body, reasoningParser: reasoningParser, finishReason: finishReason)
            }
            if let declared { context.tools = declared }
            if let historyToolCalls { context.historyToolCalls = historyToolCalls }
            if stream { context.streaming = true }
            if let template {
                context.template = try Template(source: UTF8Input.decode(InputBytes.read(template)), name: template)
            }
            declared = declared ?? context.tools
            engineRequest = .init(engine: engine, context: context)
        }
        let report = try ToolCallsReport(
            ids ? .ids(input, choice: choice) : .output(input), tools: declared, family: model.family, engine: engineRequest,
            tokenizer: model.loadTokenizer)
        if json {
            try Output.json(report)
        } else {
            var text = ""
            for (index, choice) in report.choices.enumerated() {
                if report.choices.count > 1 { text += "choice \(index):\n" }
                text += Self.describe(choice)
            }
            Output.standardOutput(text)
        }
        if !report.allValid { throw ExitCode(1) }
    }

    private static func describe(_ report: ToolCallReport) -> String {
        var text = ""
        for (index, call) in report.calls.enumerated() {
            text += "call \(index): \(call.id) \(call.valid ? "ok" : "INVALID")\n    name: \(call.name ?? "?")\n    arguments: \(call.arguments)\n"
            for problem in call.problems { text += "    \(problem.code): \(problem.message)\n" }
        }
        for problem in report.malformed { text += "malformed: \(problem)\n" }
        let s = report.summary
        if let reasoning = report.reasoning { text += "reasoning: \(reasoning.unicodeScalars.count) characters before </think>\n" }
        if let answer = report.engineAnswer {
            let response = answer.response
            text += "\(answer.engine) returns:\n"
            if let error = response.requestError { text += "    request refused: \(error)\n" }
            if let error = response.parseError { text += "    error (HTTP 500): \(error)\n" }
            text += "    content: \(response.content.map { $0.debugDescription } ?? "null")\n"
            text += "    reasoning: \(response.reasoning.map { $0.debugDescription } ?? "null")\n"
            for (index, call) in (response.toolCalls ?? []).enumerated() {
                text += "    call \(index): \(call.id)\(call.idGenerated ? " (random)" : "") \(call.name) \(call.arguments)\n"
            }
            if let reason = response.finishReason { text += "    finish_reason: \(reason)\n" }
            for finding in answer.findings { text += finding.description + "\n" }
        }
        text +=
            "\(s.calls) calls: \(s.valid) valid, \(s.invalidID) invalid ID, \(s.undeclared) undeclared, \(s.invalidJSON) invalid JSON, \(s.schemaErrors) schema errors, \(s.truncated) truncated, \(s.inReasoning) inside the reasoning\n"
        return text
    }
}
