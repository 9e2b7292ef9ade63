/// vLLM 0.33's chat path: for a Jinja family ``VLLMPreprocessing`` (all its steps, or only
/// `steps`, to find the one that changed a prompt) under the content format it resolves from
/// the template, then the family's renderer; for Kimi K3 its K3 renderer
/// (``VLLMK3Preprocessing``), then the model's XTML builder.
public struct VLLMEngine: EngineProfile {
    /// The preprocessing steps applied.
    public var steps: VLLMPreprocessing.Steps

    public init(steps: VLLMPreprocessing.Steps = .all) { self.steps = steps }
    public var name: String { "vllm" }
    public var displayName: String { "vLLM 0.33" }

    public func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering {
        if renderer.format.noTemplateReason != nil {
            // Kimi K3: vLLM's K3 renderer hands the request to the model's own XTML builder.
            let (k3Request, variables) = try VLLMK3Preprocessing.apply(request, variables: options.variables)
            return EngineRendering(
                try renderer.rendered(k3Request, addGenerationPrompt: options.addGenerationPrompt, variables: variables, limits: options.limits),
                contentFormat: .string)
        }
        let format = VLLMPreprocessing.resolve(options.contentFormat, template: try renderer.template(for: request))
        let preprocessed = try VLLMPreprocessing.apply(request, format: format, steps: steps)
        return EngineRendering(
            try renderer.rendered(preprocessed, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables, limits: options.limits),
            contentFormat: format)
    }
}
