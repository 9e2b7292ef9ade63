/// SGLang 0.5.23's chat completions and `/v1/tokenize` paths for a Jinja family
/// (``SGLangRequest``), rendered by the family's tokenizer class; a `--chat-template` file is
/// loaded as SGLang loads it (outer newlines stripped, a literal `\n` turned into a newline).
public struct SGLangEngine: EngineProfile {
    /// The codes of the steps applied (all of ``steps`` unless restricted).
    let kept: Set<String>

    public init() { kept = Set(Self.allSteps.map(\.code)) }
    init(kept: Set<String>) { self.kept = kept }

    public var steps: [EngineStep] { Self.allSteps }
    public func keeping(_ kept: Set<String>) -> any EngineProfile { SGLangEngine(kept: kept) }

    static let allSteps = [
        EngineStep("engine-template-newlines", "the --chat-template file's outer newlines stripped and every literal \\n turned into a newline"),
        EngineStep(
            "engine-tool-declaration-nulls", "tools dumped by pydantic: \"defer_loading\": null added, a missing description or parameters written as null"),
        EngineStep("engine-tool-choice-filter", "a named tool_choice declares only that tool, tool_choice none declares none"),
        EngineStep("engine-arguments-reserialized", "tool-call arguments parsed into objects, so the template prints them again"),
        EngineStep("engine-content-normalized", "messages dumped: null content to \"\", null fields dropped, text parts joined with a space"),
        EngineStep("engine-user-name-dropped", "a user message's name dropped"),
        EngineStep(
            "engine-final-message-spliced", "continue_final_message: the last assistant message cut off and its text spliced after the generation prompt"),
        EngineStep("engine-user-turn-rewrite", "a trailing assistant message rewritten as a user message (chat completions)"),
        EngineStep("engine-generation-prompt-forced", "chat completions always add the generation prompt"),
        EngineStep("engine-reasoning-effort-kwarg", "reasoning_effort passed to the template, with thinking defaulting to it"),
    ]
    public var name: String { "sglang" }
    public var displayName: String { "SGLang 0.5.23" }
    public var continuesFinalMessage: Bool { true }

    /// SGLang's refusal of a request's `tool_choice` with its `tools` (a named tool that is not
    /// declared, `required` without tools), the same on every endpoint.
    public static func validateToolChoice(_ choice: Value, tools: [Value]?) throws {
        try SGLangRequest.validateToolChoice(choice, tools: tools)
    }

    public func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering {
        if renderer.format.noTemplateReason != nil {
            throw KimiError(.unsupported, "the \(name) engine profile is for Jinja templates; \(renderer.format.displayName) has none")
        }
        let prepared = try SGLangRequest(
            request, endpoint: options.endpoint, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables, kept: kept)
        var renderer = renderer
        let probe = try ChatRequest(messages: [], tools: prepared.tools)
        if renderer.templateFromFile, kept.contains("engine-template-newlines") {
            let own = try renderer.template(for: probe)
            renderer = renderer.replacingTemplate(with: try Template(source: Self.loaded(own.source), name: own.name))
        }
        let format = SGLangContentFormat.detect(try renderer.template(for: probe))
        let (messages, continuation) = prepared.templateMessages(format)
        let templateRequest = try ChatRequest(messages: messages, tools: prepared.tools)
        let rendered = try renderer.rendered(
            templateRequest, addGenerationPrompt: prepared.addGenerationPrompt, variables: prepared.variables, limits: options.limits)
        return EngineRendering(rendered, contentFormat: format, continuation: continuation)
    }

    /// A template file as SGLang's template manager loads it.
    static func loaded(_ source: String) -> String {
        var scalars = Substring(source).unicodeScalars
        while scalars.first == "\n" { scalars.removeFirst() }
        while scalars.last == "\n" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars)).replacingOccurrences(of: "\\n", with: "\n")
    }
}
