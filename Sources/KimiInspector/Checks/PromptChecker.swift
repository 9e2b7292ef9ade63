import KimiChatTemplate
import KimiTokenizer

/// Diagnoses a Kimi token stream: the failures that broke tool calling on engines, and others.
/// The checks are the rules of the stream's family (``FamilyInspection/rules``), run in order
/// over one ``PromptContext``; the findings come out in stream order.
public struct PromptChecker: Sendable {
    public let tokenizer: KimiTokenizer
    /// The family whose chat format the stream should follow.
    public let family: ModelFamily
    private let inspection: any FamilyInspection

    public struct Options: Sendable {
        /// Whether the stream must end with the generation prompt (on by default).
        public var expectGenerationPrompt = true
        /// The request the stream was rendered from, if known (enables the request checks).
        public var request: ChatRequest?
        /// Tools declared to the engine (from the request or `--tools`), if known.
        public var tools: [Value]?
        /// The `thinking` the prompt was rendered with (K2.5, K3); `nil` is the family's default, on.
        public var thinking: Bool?
        /// For K3, the reference's segments of the request, to tell a segment-wise encoding from
        /// the joined text's (without them, the segments are read back from the prompt's text).
        public var referenceSegments: [PromptSegment]?
        /// The declaration the given tools render to (``ChatRenderer/toolDeclaration(_:variables:)``),
        /// which the prompt's `tool_declare` message must equal.
        public var expectedToolDeclaration: String?
        /// The engine profile that built the prompt from the request, and what it built; a rule
        /// names what that engine did when its diagnosis explains a finding.
        public var engine: (any EngineProfile)?
        public var rendering: EngineRendering?

        public init(
            expectGenerationPrompt: Bool = true, request: ChatRequest? = nil, tools: [Value]? = nil,
            thinking: Bool? = nil, referenceSegments: [PromptSegment]? = nil, expectedToolDeclaration: String? = nil,
            engine: (any EngineProfile)? = nil, rendering: EngineRendering? = nil
        ) {
            self.expectedToolDeclaration = expectedToolDeclaration
            self.expectGenerationPrompt = expectGenerationPrompt
            self.request = request
            self.tools = tools ?? request?.tools
            self.thinking = thinking
            self.referenceSegments = referenceSegments
            self.engine = engine
            self.rendering = rendering
        }
    }

    /// A checker for `tokenizer`'s vocabulary; `nil` if it lacks the family's chat markers.
    /// `family` defaults to what the special tokens give away (`<think>` as a special token is K2.5's).
    public init?(tokenizer: KimiTokenizer, family: ModelFamily? = nil) {
        let family = family ?? ModelFamily.detect(modelType: nil, specialTokenNames: tokenizer.specialTokens.names)
        guard let inspection = family.inspection(for: tokenizer) else { return nil }
        self.tokenizer = tokenizer
        self.family = family
        self.inspection = inspection
    }

    /// Every finding for `ids`, in stream order.
    public func check(_ ids: [Int], options: Options = Options()) -> [Finding] {
        let context = PromptContext(
            stream: TokenStream(ids: ids, tokenizer: tokenizer), tokenizer: tokenizer, options: options, encoding: inspection.encoding)
        return inspection.rules.flatMap { $0.findings(in: context) }
            .sorted { ($0.tokenIndex ?? -1, $0.code.rawValue) < ($1.tokenIndex ?? -1, $1.code.rawValue) }
    }

    /// The text of `prompt`, encoded as engines do, then checked.
    public func check(prompt: String, options: Options = Options()) throws -> [Finding] {
        check(try tokenizer.encode(prompt, mode: .hf), options: options)
    }
}
