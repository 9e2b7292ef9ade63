/// vLLM 0.33's chat path: for a Jinja family ``VLLMPreprocessing`` (all its steps, or only
/// `steps`, to find the one that changed a prompt) under the content format it resolves from
/// the template, then the family's renderer; for Kimi K3 its K3 renderer
/// (``VLLMK3Preprocessing``), then the model's XTML builder.
public struct VLLMEngine: EngineProfile {
    /// The preprocessing steps applied.
    public var preprocessing: VLLMPreprocessing.Steps

    public init(steps: VLLMPreprocessing.Steps = .all) { preprocessing = steps }
    public var name: String { "vllm" }
    public var displayName: String { "vLLM 0.33" }

    public var steps: [EngineStep] { Self.allSteps.map(\.step) }

    public func keeping(_ kept: Set<String>) -> any EngineProfile {
        VLLMEngine(steps: VLLMPreprocessing.Steps(Self.allSteps.filter { kept.contains($0.step.code) }.map(\.option)))
    }

    static let allSteps: [(step: EngineStep, option: VLLMPreprocessing.Steps)] = [
        (
            EngineStep(
                "engine-content-format",
                "content rebuilt under vLLM's content format: strings into text parts ('openai') or parts joined with line feeds ('string')"),
            .contentFormat
        ),
        (EngineStep("engine-arguments-reserialized", "tool-call arguments parsed as JSON (invalid or non-object ones replaced by {})"), .arguments),
        (EngineStep("engine-instructions-merged", "developer messages renamed system and every system message merged into one at the top"), .instructions),
        (EngineStep("engine-tool-declaration-nulls", "tools dumped by pydantic: a missing description or parameters written as null"), .toolDeclarations),
        (EngineStep("engine-tool-result-alias", "tool results put in call order, matched by ID or by the NAME:POSITION alias"), .toolResults),
    ]

    public func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering {
        if renderer.format.noTemplateReason != nil {
            // Kimi K3: vLLM's K3 renderer hands the request to the model's own XTML builder.
            let (k3Request, variables) = try VLLMK3Preprocessing.apply(request, variables: options.variables, steps: preprocessing)
            return EngineRendering(
                try renderer.rendered(k3Request, addGenerationPrompt: options.addGenerationPrompt, variables: variables, limits: options.limits),
                contentFormat: .string)
        }
        let format = VLLMPreprocessing.resolve(options.contentFormat, template: try renderer.template(for: request))
        let preprocessed = try VLLMPreprocessing.apply(request, format: format, steps: preprocessing)
        return EngineRendering(
            try renderer.rendered(preprocessed, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables, limits: options.limits),
            contentFormat: format)
    }
}
