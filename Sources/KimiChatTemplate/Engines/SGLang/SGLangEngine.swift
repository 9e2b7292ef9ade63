/// SGLang 0.5.23's chat completions and `/v1/tokenize` paths for a Jinja family
/// (``SGLangRequest``), rendered by the family's tokenizer class; a `--chat-template` file is
/// loaded as SGLang loads it (outer newlines stripped, a literal `\n` turned into a newline).
public struct SGLangEngine: EngineProfile {
    public init() {}
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
            request, endpoint: options.endpoint, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables)
        var renderer = renderer
        let probe = try ChatRequest(messages: [], tools: prepared.tools)
        if renderer.templateFromFile {
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
