import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTokenizer

/// `kimi-tok parse-tool-calls`: tool calls in raw model output, validated.
struct ParseToolCallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-tool-calls",
        abstract: "Parse Kimi tool calls from raw model output and validate them.",
        discussion: """
            Checks each call's ID (functions.NAME:IDX), that NAME is declared (--tools), that the \
            arguments are a JSON object satisfying the tool's parameters schema, and that nothing is \
            truncated. Exit status: 0 all valid, 1 problems found, 2 bad input.
            """)

    @Option(help: "The model output ('-' for stdin, the default).") var file: String?
    @Flag(help: "The input holds token IDs (any engine shape), decoded first.") var ids = false
    @Option(help: "JSON tools (an array, or an object with 'tools').") var tools: String?
    @Flag(help: "Print one JSON object: content, calls, malformed, summary.") var json = false
    @OptionGroup var model: ModelOptions

    func run() throws {
        let input = try InputBytes.read(file ?? "-")
        let output: String
        if ids {
            output = try model.loadTokenizer().decode(try EngineTokenIDs.parse(input))
        } else {
            output = try UTF8Input.decode(input)
        }
        let declared = try tools.map { try ChatRequest.readTools(InputBytes.read($0)) }
        let report = ToolCallReport(output: output, tools: declared)
        if json {
            try Output.json(report)
        } else {
            var text = ""
            for (index, call) in report.calls.enumerated() {
                text += "call \(index): \(call.id) \(call.valid ? "ok" : "INVALID")\n    name: \(call.name ?? "?")\n    arguments: \(call.arguments)\n"
                for problem in call.problems { text += "    \(problem.code): \(problem.message)\n" }
            }
            for problem in report.malformed { text += "malformed: \(problem)\n" }
            let s = report.summary
            if let reasoning = report.reasoning { text += "reasoning: \(reasoning.unicodeScalars.count) characters before </think>\n" }
            text += "\(s.calls) calls: \(s.valid) valid, \(s.invalidID) invalid ID, \(s.undeclared) undeclared, \(s.invalidJSON) invalid JSON, \(s.schemaErrors) schema errors, \(s.truncated) truncated, \(s.inReasoning) inside the reasoning\n"
            Output.standardOutput(text)
        }
        if report.summary.valid != report.summary.calls || !report.malformed.isEmpty { throw ExitCode(1) }
    }
}
