import KimiTokenizer

/// What an engine does to a chat request before (and while) the model family renders it: its
/// own request handling between reading the request and the prompt it tokenizes.
///
/// Each engine is one type in its own folder (`Reference/`, `VLLM/`), listed once in
/// ``EngineProfiles/all``. ``ReferenceEngine`` is the identity: the model's own tokenizer class,
/// what an engine should send.
public protocol EngineProfile: Sendable {
    /// The name on the command line (`--engine`) and in requests (`"engine"`).
    var name: String { get }
    /// The engine and version whose behaviour the profile reproduces, e.g. "vLLM 0.33".
    var displayName: String { get }

    /// Whether the profile acts on a request's `continue_final_message` (others refuse it rather
    /// than build a prompt the engine would not).
    var continuesFinalMessage: Bool { get }

    /// The prompt this engine builds from `request` with `renderer`'s model.
    func render(_ request: ChatRequest, with renderer: ChatRenderer, _ options: EngineRenderOptions) throws -> EngineRendering

    /// The engine's own steps, each of which can be kept alone to find the one that made a
    /// prompt differ from the reference.
    var steps: [EngineStep] { get }

    /// This profile doing only the steps whose codes are in `kept` (the others as the reference
    /// does); requests it would refuse are still refused.
    func keeping(_ kept: Set<String>) -> any EngineProfile

    /// The tokenizer the engine encodes with.
    var tokenizer: EngineRendering.EngineTokenizer { get }
}

extension EngineProfile {
    public var tokenizer: EngineRendering.EngineTokenizer { .reference }
    public var continuesFinalMessage: Bool { false }
    public var steps: [EngineStep] { [] }
    public func keeping(_ kept: Set<String>) -> any EngineProfile { self }
}

/// How an engine was started and asked: the options that change what it builds.
public struct EngineRenderOptions: Sendable {
    /// Which of the engine's paths builds the prompt: chat completions (what the model is
    /// given) or its `/tokenize` with messages. Engines with one path ignore it.
    public enum Endpoint: String, CaseIterable, Sendable, Codable {
        case chat, tokenize
    }

    /// vLLM's `--chat-template-content-format`.
    public var contentFormat: ContentFormat
    public var endpoint: Endpoint = .chat
    public var addGenerationPrompt: Bool
    /// `chat_template_kwargs`.
    public var variables: [String: Value]
    /// The budget of the render (the renderer's own when `nil`).
    public var limits: RenderLimits?

    public init(
        contentFormat: ContentFormat = .auto, endpoint: Endpoint = .chat, addGenerationPrompt: Bool = true, variables: [String: Value] = [:],
        limits: RenderLimits? = nil
    ) {
        self.contentFormat = contentFormat
        self.endpoint = endpoint
        self.addGenerationPrompt = addGenerationPrompt
        self.variables = variables
        self.limits = limits
    }
}

/// A prompt as an engine builds it.
public struct EngineRendering: Sendable {
    /// The whole text the model is given: the template's output, then any continuation.
    public let prompt: String
    /// The content format the engine resolved (vLLM, SGLang); `nil` where the engine has none.
    public let contentFormat: ContentFormat?
    /// For a family that encodes segment by segment (Kimi K3), the segments.
    public let segments: [PromptSegment]?
    /// Text the engine splices after the template's output as token IDs of its own (SGLang's
    /// `continue_final_message`); it is the end of ``prompt`` and is encoded apart from it.
    public let continuation: String?
    /// Whose tokenizer encodes the prompt.
    public let tokenizer: EngineTokenizer

    /// The tokenizer an engine encodes its prompt with.
    public enum EngineTokenizer: String, Sendable {
        /// The model's own tokenizer class.
        case reference
        /// llama.cpp's (``KimiTokenizer/llamaCpp()``).
        case llamaCpp = "llama.cpp"

        /// This tokenizer, built from the reference one.
        public func tokenizer(from reference: KimiTokenizer) -> KimiTokenizer {
            self == .llamaCpp ? reference.llamaCpp() : reference
        }
    }

    public init(
        prompt: String, contentFormat: ContentFormat? = nil, segments: [PromptSegment]? = nil, continuation: String? = nil,
        tokenizer: EngineTokenizer = .reference
    ) {
        self.prompt = prompt
        self.contentFormat = contentFormat
        self.segments = segments
        self.continuation = continuation
        self.tokenizer = tokenizer
    }

    init(_ rendered: RenderedPrompt, contentFormat: ContentFormat? = nil, continuation: String? = nil) {
        self.init(
            prompt: rendered.text + (continuation ?? ""), contentFormat: contentFormat, segments: rendered.segments, continuation: continuation)
    }

    /// The template's output, without the continuation.
    public var templateOutput: String {
        guard let continuation else { return prompt }
        return String(prompt.utf8.dropLast(continuation.utf8.count)) ?? prompt
    }

    /// The prompt's token IDs as the engine encodes them, with its tokenizer: the template's
    /// output (segment by segment for K3), then the continuation encoded on its own.
    public func ids(with tokenizer: KimiTokenizer) throws -> [Int] {
        let tokenizer = self.tokenizer.tokenizer(from: tokenizer)
        var ids = try RenderedPrompt(text: templateOutput, segments: segments).ids(with: tokenizer)
        if let continuation { ids += try tokenizer.encode(continuation, mode: .hf) }
        return ids
    }
}

/// Every engine profile kimi-tok knows; a new engine is one more entry here.
public enum EngineProfiles {
    public static let reference: any EngineProfile = ReferenceEngine()
    public static let all: [any EngineProfile] = [ReferenceEngine(), VLLMEngine(), SGLangEngine(), LlamaCppEngine()]

    /// The profile called `name`.
    public static func named(_ name: String) -> (any EngineProfile)? {
        all.first { $0.name == name }
    }
}

/// An engine profile's name, as options and request fields give it: one of ``EngineProfiles/all``.
public struct EngineName: RawRepresentable, CaseIterable, Hashable, Sendable, Codable {
    public let rawValue: String
    public let profile: any EngineProfile

    public init?(rawValue: String) {
        guard let profile = EngineProfiles.named(rawValue) else { return nil }
        self.rawValue = rawValue
        self.profile = profile
    }

    public static var allCases: [EngineName] { EngineProfiles.all.compactMap { EngineName(rawValue: $0.name) } }
    public static var reference: EngineName { EngineName(rawValue: EngineProfiles.reference.name)! }

    public static func == (a: EngineName, b: EngineName) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = EngineName(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no engine profile '\(text)'"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
