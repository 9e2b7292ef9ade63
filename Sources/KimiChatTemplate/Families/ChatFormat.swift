import KimiTokenizer

/// How one Kimi model family turns a chat request into a prompt: what its tokenizer class does
/// in `apply_chat_template`. Each family is one type in its own folder (`K2/`, `K25/`, `K3/`);
/// ``ModelFamily/format`` is the one place that maps a family to its type, and the rest of the
/// code asks the format rather than testing which family it has.
public protocol ChatFormat: Sendable {
    /// The family this format belongs to.
    var family: ModelFamily { get }
    /// The name people use, e.g. "Kimi K2.5/K2.6".
    var displayName: String { get }
    /// Special tokens only this family names (the others keep these IDs reserved, or name them
    /// otherwise), from the families' published `tokenizer_config.json`.
    var signatureTokens: [(id: Int, name: String)] { get }
    /// Why the format takes no Jinja template (its prompt is built in code), or `nil` when a
    /// template renders it.
    var noTemplateReason: String? { get }

    /// The prompt for `request`, as the family's tokenizer class builds it.
    func prompt(for request: ChatRequest, _ rendering: FormatRendering) throws -> RenderedPrompt

    /// The tool declaration the model sees for `tools` (the body of the declaring message),
    /// with a note when the family falls back from its usual form.
    func toolDeclaration(of tools: [Value], _ rendering: FormatRendering) throws -> (text: String, note: String?)
}

/// What a format renders with: the template chosen for the request (for Jinja formats), the
/// special-token variables, the caller's variables, and the budget.
public struct FormatRendering: Sendable {
    /// The template for the request (throws when the model has none).
    public let template: @Sendable (ChatRequest) throws -> Template
    public let specialTokenVariables: [String: Value]
    public let variables: [String: Value]
    public let addGenerationPrompt: Bool
    public let limits: RenderLimits

    public init(
        template: @escaping @Sendable (ChatRequest) throws -> Template, specialTokenVariables: [String: Value],
        variables: [String: Value], addGenerationPrompt: Bool, limits: RenderLimits
    ) {
        self.template = template
        self.specialTokenVariables = specialTokenVariables
        self.variables = variables
        self.addGenerationPrompt = addGenerationPrompt
        self.limits = limits
    }
}

/// A prompt as a family builds it: its text and, for a family that encodes segment by segment,
/// the segments.
public struct RenderedPrompt: Sendable {
    public let text: String
    /// The segments to encode one by one; `nil` when the text is encoded whole.
    public let segments: [PromptSegment]?

    public init(text: String, segments: [PromptSegment]? = nil) {
        self.text = text
        self.segments = segments
    }

    /// The prompt's token IDs: segment by segment when it has segments, else the text as
    /// engines encode it.
    public func ids(with tokenizer: KimiTokenizer) throws -> [Int] {
        if let segments { return try tokenizer.encode(segments: segments) }
        return try tokenizer.encode(text, mode: .hf)
    }
}

extension ChatFormat {
    public var noTemplateReason: String? { nil }
}
