import KimiTokenizer

/// What `render --json` prints and `POST /v1/kimi/render` answers: the family, the prompt, its
/// IDs, the resolved content format (with an engine profile that has one), K3's segments and
/// the text an engine splices after the template's output (SGLang's `continue_final_message`).
public struct RenderReport: Sendable, Encodable {
    public let family: ModelFamily
    public let prompt: String
    public let ids: [Int]
    /// Only with an engine profile that has one (vLLM's resolved content format).
    public let contentFormat: ContentFormat?
    /// Only for Kimi K3: the segments, each `{"text", "special"}`.
    public let segments: [PromptSegment]?
    /// Only when the engine splices text after the template's output: that text (the end of
    /// `prompt`, encoded on its own).
    public let continuation: String?

    enum CodingKeys: String, CodingKey {
        case family, prompt, ids, segments, continuation
        case contentFormat = "content_format"
    }

    /// The report of `rendering`, made by a renderer of `family`, encoded with `tokenizer`.
    public init(_ rendering: EngineRendering, family: ModelFamily, tokenizer: KimiTokenizer) throws {
        self.family = family
        prompt = rendering.prompt
        ids = try rendering.ids(with: tokenizer)
        contentFormat = rendering.contentFormat
        segments = rendering.segments
        continuation = rendering.continuation
    }
}
