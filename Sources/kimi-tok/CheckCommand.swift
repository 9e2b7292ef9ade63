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
        let family = try model.resolvedFamily(tokenizer: tokenizer)
        guard let checker = PromptChecker(tokenizer: tokenizer, family: family) else {
            throw InspectorUnavailable()
        }
        let request = try reference.request()
        let standaloneTools = try reference.standaloneTools()
        var expectedDeclaration: String?
        if let standaloneTools, !standaloneTools.isEmpty, family != .k3 {
            let renderer = try model.renderer(templatePath: reference.template, tokenizer: tokenizer)
            expectedDeclaration = try? renderer.toolDeclaration(
                try ChatRequest(messages: [], tools: standaloneTools), variables: try TemplateVariables.parse(reference.variables)
            ).text
        }
        let (ids, rendering) = try reference.ids(
            tokenizer: tokenizer, model: model, request: request, engine: engine.engine, contentFormat: engine.contentFormat)
        var findings = checker.check(
            ids,
            options: PromptChecker.Options(
                expectGenerationPrompt: reference.expectsGenerationPrompt, request: request, tools: standaloneTools,
                thinking: try reference.thinking(), referenceSegments: rendering?.segments, expectedToolDeclaration: expectedDeclaration))
        if engine.engine == .vllm, rendering?.contentFormat == .openai {
            findings = findings.map(Self.vllmContentFormatCause)
        }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        if json {
            try Output.json(CheckResult(findings: findings, count: ids.count, errors: errors, warnings: warnings))
        } else {
            var output = ""
            for finding in findings { output += "\(finding)\n" }
            output +=
                findings.isEmpty
                ? "no findings in \(ids.count) tokens\n"
                : "\(findings.count) finding\(findings.count == 1 ? "" : "s") in \(ids.count) tokens: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
            Output.standardOutput(output)
        }
        if errors > 0 { throw ExitCode(1) }
    }

    /// A content-list leak in vLLM's prompt: its cause is vLLM's content format, and so are the fixes.
    static func vllmContentFormatCause(_ finding: Finding) -> Finding {
        guard finding.code == .contentListLeak else { return finding }
        return Finding(
            code: finding.code, severity: finding.severity, tokenIndex: finding.tokenIndex, characterOffset: finding.characterOffset,
            messageIndex: finding.messageIndex,
            message: finding.message + " (vLLM's content format 'openai' turned the content into parts, and the template prints message['content'])",
            fix:
                "start vLLM with --chat-template-content-format string, or send null content instead of \"\" with tool calls, or use a fixed template that iterates the content parts"
        )
    }

    private struct CheckResult: Encodable {
        let findings: [Finding]
        /// The number of tokens checked.
        let count: Int
        let errors: Int
        let warnings: Int
    }
}

/// The vocabulary lacks the Kimi chat markers, so prompts cannot be inspected.
struct InspectorUnavailable: Error, CustomStringConvertible {
    var description: String { "this vocabulary has no Kimi chat markers (<|im_user|>, <|im_middle|>, ...); it cannot be inspected" }
}
