import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTokenizer

/// `kimi-tok check`: diagnose a prompt or token stream.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a prompt or token stream for the failures that break Kimi tool calling.",
        discussion: """
            Exit status: 0 when nothing of severity error is found, 1 when something is, 2 for bad input. \
            Codes: \(FindingCode.findings.map(\.rawValue).joined(separator: ", ")).
            """)

    @OptionGroup var reference: ReferenceOptions
    @Flag(help: "Print one JSON object with a findings array.") var json = false
    @OptionGroup var engine: EngineOptions
    @OptionGroup var model: ModelOptions

    func run() throws {
        let tokenizer = try model.loadTokenizer()
        let report = try CheckReport(
            try reference.input(engine: engine.engine, contentFormat: engine.contentFormat, endpoint: engine.endpoint),
            model: try model.inspected(tokenizer: tokenizer, templatePath: reference.template))
        if json {
            try Output.json(report)
        } else {
            Output.standardOutput(report.text)
        }
        if report.errors > 0 { throw ExitCode(1) }
    }
}
