import KimiChatTemplate
import KimiTokenizer

/// What an inspection runs on: the tokenizer, the model family and the model's render pipeline.
/// The pipeline is made only when a chat request needs it, so prompts and IDs can be inspected
/// with a model directory that has no chat template.
public struct InspectedModel: Sendable {
    public let tokenizer: KimiTokenizer
    public let family: ModelFamily
    private let makeRenderer: @Sendable () throws -> ChatRenderer

    public init(tokenizer: KimiTokenizer, family: ModelFamily, renderer: @escaping @Sendable () throws -> ChatRenderer) {
        self.tokenizer = tokenizer
        self.family = family
        makeRenderer = renderer
    }

    /// The render pipeline (the model directory's template, or the one the caller chose).
    public func renderer() throws -> ChatRenderer { try makeRenderer() }
}
