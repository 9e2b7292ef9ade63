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
        let declared = try tools.map { try ChatRequest.readTools(InputBytes.read($0)) }
        let report = try ToolCallsReport(
            ids ? .ids(input, choice: choice) : .output(input), tools: declared, family: model.family, tokenizer: model.loadTokenizer)
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
        text +=
            "\(s.calls) calls: \(s.valid) valid, \(s.invalidID) invalid ID, \(s.undeclared) undeclared, \(s.invalidJSON) invalid JSON, \(s.schemaErrors) schema errors, \(s.truncated) truncated, \(s.inReasoning) inside the reasoning\n"
        return text
    }
}
