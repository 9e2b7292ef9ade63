/// One thing an engine does to a request that the model's reference does not: named by the
/// code `compare` reports when this step explains a divergence.
public struct EngineStep: Sendable, Hashable {
    /// The code, e.g. `engine-tool-declaration-nulls`.
    public let code: String
    /// One line: what the step does.
    public let summary: String

    public init(_ code: String, _ summary: String) {
        self.code = code
        self.summary = summary
    }
}
