/// `llama-server --jinja` (build 11434) on a Kimi K2 GGUF: its request handling
/// (``LlamaCppRequest``), the template capabilities and chat handler it picks
/// (``LlamaCppTemplateCaps``), its own Jinja engine (``JinjaDialect/llamaCpp``), and its own
/// tokenizer (``KimiTokenizer/llamaCpp()``) for the IDs.
public struct LlamaCppEngine: EngineProfile {
    let kept: Set<String>

    public init() { kept = Set(Self.allSteps.map(\.code)) }
    init(kept: Set<String>) { self.kept = kept }

    public var name: String { "llama.cpp" }
    public var displayName: String { "llama.cpp b11434" }
    public var steps: [EngineStep] { Self.allSteps }
    public var tokenizer: EngineRendering.EngineTokenizer { .llamaCpp }
    public func keeping(_ kept: Set<String>) -> any EngineProfile { LlamaCppEngine(kept: kept) }

    static let argumentsStep = "engine-arguments-reserialized"
    static let dialectStep = "engine-tool-result-dropped"
    static let prefillStep = "engine-assistant-prefill"
    static let nullContentStep = "engine-null-content-to-empty"

    static let allSteps = [
        EngineStep(argumentsStep, "tool-call arguments parsed for a template that takes objects, and printed again by its tojson"),
        EngineStep(dialectStep, "llama.cpp's Jinja prints a list of text parts as nothing: a tool result (or tool-call turn) given as parts vanishes"),
        EngineStep(
            prefillStep, "a final assistant message continued: cut off and appended after the generation prompt without <|im_end|> (dropped when empty)"),
        EngineStep(nullContentStep, "null content rendered as \"\""),
    ]

    public func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering {
        if renderer.format.noTemplateReason != nil {
            throw KimiError(.unsupported, "the \(name) engine profile is for Jinja templates; \(renderer.format.displayName) has none")
        }
        let template = try renderer.template(for: request)
        let caps = LlamaCppTemplateCaps.detect(template)
        let prepared = try LlamaCppRequest(request, caps: caps, kept: kept)
        let dialect: JinjaDialect = kept.contains(Self.dialectStep) ? .llamaCpp : .python
        let rendered = try renderer.replacingTemplate(with: template.rendered(as: dialect)).rendered(
            try ChatRequest(messages: prepared.messages, tools: prepared.tools),
            addGenerationPrompt: prepared.dropsFinalMessage ? false : options.addGenerationPrompt, variables: options.variables,
            limits: options.limits)
        var text = rendered.text
        if let prefill = prepared.prefill {
            text += Self.generationPrompt + (caps.handler == .kimiK2 ? "<think></think>" : "") + prefill
        }
        return EngineRendering(prompt: text, tokenizer: tokenizer)
    }

    /// The Kimi K2 assistant opener that the prefill starts with.
    static let generationPrompt = "<|im_assistant|>assistant<|im_middle|>"
}
