import KimiTokenizer

/// What `render --json` prints and `POST /v1/kimi/render` answers: the family, the prompt, its
/// IDs, vLLM's resolved content format (with that engine profile) and K3's segments.
public struct RenderReport: Sendable, Encodable {
    public let family: ModelFamily
    public let prompt: String
    public let ids: [Int]
    /// Only with an engine profile that has one (vLLM's resolved content format).
    public let contentFormat: ContentFormat?
    /// Only for Kimi K3: the segments, each `{"text", "special"}`.
    public let segments: [PromptSegment]?

    enum CodingKeys: String, CodingKey {
        case family, prompt, ids, segments
        case contentFormat = "content_format"
    }

    /// The report of `rendering`, made by a renderer of `family`, encoded with `tokenizer`.
    public init(_ rendering: EngineRendering, family: ModelFamily, tokenizer: KimiTokenizer) throws {
        self.family = family
        prompt = rendering.prompt
        ids = try rendering.ids(with: tokenizer)
        contentFormat = rendering.contentFormat
        segments = rendering.segments
    }
}
