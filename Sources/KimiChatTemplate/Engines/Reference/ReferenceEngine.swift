/// The reference: the request as it is, rendered by the model's own tokenizer class. What every
/// engine should build.
public struct ReferenceEngine: EngineProfile {
    public init() {}
    public var name: String { "reference" }
    public var displayName: String { "the model's tokenizer class" }

    public func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering {
        EngineRendering(
            try renderer.rendered(request, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables, limits: options.limits))
    }
}
