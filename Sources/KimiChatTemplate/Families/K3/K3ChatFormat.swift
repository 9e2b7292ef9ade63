/// Kimi K3: no Jinja; the tokenizer class builds the prompt as XTML segments
/// (``K3Renderer``), each encoded on its own.
public struct K3ChatFormat: ChatFormat {
    public init() {}
    public var family: ModelFamily { .k3 }
    public var displayName: String { "Kimi K3" }
    public var signatureTokens: [(id: Int, name: String)] { [(163589, "<|sep|>"), (163649, "<osagent_mode>")] }
    public var noTemplateReason: String? { "its prompt is built as XTML segments" }

    public func prompt(for request: ChatRequest, _ rendering: FormatRendering) throws -> RenderedPrompt {
        let segments = try K3Renderer.segments(request, addGenerationPrompt: rendering.addGenerationPrompt, variables: rendering.variables)
        return RenderedPrompt(text: segments.map(\.text).joined(), segments: segments)
    }

    /// K3 has no separate declaration to print: its tools are declared in a `tool-declare`
    /// message of the XTML prompt, which `render` shows.
    public func toolDeclaration(of tools: [Value], _ rendering: FormatRendering) throws -> (text: String, note: String?) {
        throw KimiError(.unsupported, "Kimi K3 declares its tools in a tool-declare message of the XTML prompt; kimi-tok render shows it")
    }
}
