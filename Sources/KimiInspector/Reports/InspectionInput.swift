import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// What `check` and `compare` inspect, however it was given: a chat request to render, a prompt
/// to encode as engines do, or token IDs; with the options that shape the reference.
public struct InspectionInput: Sendable {
    public enum Source: Sendable {
        /// A chat request, rendered through the model's pipeline.
        case request(ChatRequest)
        /// A prompt as text, encoded in `hf` mode.
        case prompt(String)
        /// Token IDs as given.
        case ids([Int])
    }

    public var source: Source
    /// Tools given without a request: the tool declaration a prompt should carry.
    public var standaloneTools: [Value]?
    /// Template variables (`apply_chat_template` keyword arguments).
    public var variables: [String: Value]
    /// Whether the prompt must end with the generation prompt (and is rendered with it).
    public var expectsGenerationPrompt: Bool
    /// Whose preprocessing builds the prompt from a request.
    public var engine: any EngineProfile
    /// vLLM's content format, for the `vllm` profile.
    public var contentFormat: ContentFormat
    /// The engine path that builds the prompt (SGLang's chat completions or `/v1/tokenize`).
    public var endpoint: EngineRenderOptions.Endpoint = .chat

    public init(
        source: Source, standaloneTools: [Value]? = nil, variables: [String: Value] = [:], expectsGenerationPrompt: Bool = true,
        engine: any EngineProfile = EngineProfiles.reference, contentFormat: ContentFormat = .auto
    ) {
        self.source = source
        self.standaloneTools = standaloneTools
        self.variables = variables
        self.expectsGenerationPrompt = expectsGenerationPrompt
        self.engine = engine
        self.contentFormat = contentFormat
    }

    /// The options an engine renders the request with.
    public var renderOptions: EngineRenderOptions {
        EngineRenderOptions(contentFormat: contentFormat, endpoint: endpoint, addGenerationPrompt: expectsGenerationPrompt, variables: variables)
    }

    /// The chat request, when one was given.
    public var request: ChatRequest? {
        if case let .request(request) = source { return request }
        return nil
    }

    /// The `thinking` template variable, when it was set.
    public var thinking: Bool? {
        if case let .bool(value)? = variables["thinking"] { return value }
        return nil
    }

    /// The IDs to inspect: the request rendered by `engine`'s profile (the input's own when
    /// `nil`) and encoded, the prompt encoded, or the IDs as given; with the rendering.
    public func ids(on model: InspectedModel, engine: (any EngineProfile)? = nil) throws -> (ids: [Int], rendering: EngineRendering?) {
        switch source {
        case let .request(request):
            let rendering = try model.renderer().render(request, engine: engine ?? self.engine, renderOptions)
            return (try rendering.ids(with: model.tokenizer), rendering)
        case let .prompt(text):
            guard !text.isEmpty else { throw KimiError(.badInput, "the prompt is empty: nothing to inspect") }
            return (try model.tokenizer.encode(text, mode: .hf), nil)
        case let .ids(ids):
            guard !ids.isEmpty else { throw KimiError(.badInput, "no token IDs in input") }
            return (ids, nil)
        }
    }
}
