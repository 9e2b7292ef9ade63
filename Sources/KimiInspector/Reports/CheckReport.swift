import KimiChatTemplate
import KimiTokenizer

/// What `check --json` prints and `POST /v1/kimi/check` answers: the findings in a prompt or
/// token stream and how many of each severity.
public struct CheckReport: Sendable, Encodable {
    public let findings: [Finding]
    /// The number of tokens checked.
    public let count: Int
    public let errors: Int
    public let warnings: Int

    /// Checks `input` on `model`: the request's rendering (by the input's engine profile), the
    /// prompt's encoding or the IDs, with the request, tools and thinking mode in hand.
    public init(_ input: InspectionInput, model: InspectedModel) throws {
        guard let checker = PromptChecker(tokenizer: model.tokenizer, family: model.family) else {
            throw KimiError(.unsupported, "this vocabulary has no Kimi chat markers (<|im_user|>, <|im_middle|>, ...); it cannot be inspected")
        }
        var expectedDeclaration: String?
        if let tools = input.standaloneTools, !tools.isEmpty {
            expectedDeclaration = try? model.renderer().toolDeclaration(try ChatRequest(messages: [], tools: tools), variables: input.variables).text
        }
        let (ids, rendering) = try input.ids(on: model)
        findings = checker.check(
            ids,
            options: PromptChecker.Options(
                expectGenerationPrompt: input.expectsGenerationPrompt, request: input.request, tools: input.standaloneTools,
                thinking: input.thinking, referenceSegments: rendering?.segments, expectedToolDeclaration: expectedDeclaration,
                engine: input.engine, rendering: rendering))
        count = ids.count
        errors = findings.filter { $0.severity == .error }.count
        warnings = findings.filter { $0.severity == .warning }.count
    }

    /// The findings as lines for people, then a summary line.
    public var text: String {
        var output = ""
        for finding in findings { output += "\(finding)\n" }
        output +=
            findings.isEmpty
            ? "no findings in \(count) tokens\n"
            : "\(findings.count) finding\(findings.count == 1 ? "" : "s") in \(count) tokens: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        return output
    }
}
