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
            truncated. Exit status: 0 all valid, 1 problems found, 2 bad input.
            """)

    @Option(help: "The model output ('-' for stdin, the default).") var file: String?
    @Flag(help: "The input holds token IDs (any engine shape), decoded first: a completion response's output IDs, every choice.")
    var ids = false
    @Option(help: "With --ids: parse only this choice (from 0).") var choice: Int?
    @Option(help: "JSON tools (an array, or an object with 'tools').") var tools: String?
    @Flag(help: "Print one JSON object: content, calls, malformed, summary.") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if choice != nil, !ids { throw ValidationError("--choice needs --ids") }
        try StandardInputUse.requireOnce(["--file": file ?? "-", "--tools": tools])
        if let choice, choice < 0 { throw ValidationError("--choice must be 0 or more, not \(choice)") }
    }

    func run() throws {
        let input = try InputBytes.read(file ?? "-")
        var outputs: [String]
        if ids {
            let tokenizer = try model.loadTokenizer()
            var lists = try EngineTokenIDs.outputs(input)
            if let choice { lists = [try ChoiceSelection.one(of: lists, choice: choice)] }
            outputs = try lists.map { try tokenizer.decode($0) }
        } else {
            outputs = [try UTF8Input.decode(input)]
        }
        let declared = try tools.map { try ChatRequest.readTools(InputBytes.read($0)) }
        if !ids, let choices = CompletionResponse.choices(input) {
            // A chat-completion response or SSE stream: the calls the server parsed, and any left as raw text.
            let reports = choices.map { choice in
                choice.calls.isEmpty && choice.content.contains("<|tool_call")
                    ? ToolCallReport(output: choice.content, tools: declared)
                    : ToolCallReport(responseCalls: choice.calls, content: choice.content, reasoning: choice.reasoning, tools: declared)
            }
            return try report(reports)
        }
        let k3 = model.family == .k3 || (model.family == nil && outputs.contains { $0.contains("<|open|>call ") || $0.contains("<|open|>tools<|sep|>") })
        let reports = outputs.map { k3 ? ToolCallReport(k3Output: $0, tools: declared) : ToolCallReport(output: $0, tools: declared) }
        try report(reports)
    }

    private func report(_ reports: [ToolCallReport]) throws {
        if json {
            if reports.count == 1 { try Output.json(reports[0]) } else { try Output.json(ChoiceReports(choices: reports)) }
        } else {
            var text = ""
            for (index, report) in reports.enumerated() {
                if reports.count > 1 { text += "choice \(index):\n" }
                text += Self.describe(report)
            }
            Output.standardOutput(text)
        }
        if reports.contains(where: { $0.summary.valid != $0.summary.calls || !$0.malformed.isEmpty }) { throw ExitCode(1) }
    }

    /// The reports of several choices, in order.
    private struct ChoiceReports: Encodable {
        let choices: [ToolCallReport]
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
        text +=
            "\(s.calls) calls: \(s.valid) valid, \(s.invalidID) invalid ID, \(s.undeclared) undeclared, \(s.invalidJSON) invalid JSON, \(s.schemaErrors) schema errors, \(s.truncated) truncated, \(s.inReasoning) inside the reasoning\n"
        return text
    }
}
