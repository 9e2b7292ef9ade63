/// A token ID that the vocabulary does not have.
public struct TokenIDError: Error, Equatable, CustomStringConvertible {
    /// The ID's index in the input.
    public let position: Int
    /// The ID.
    public let id: Int
    /// Valid IDs are `0..<tokenCount`.
    public let tokenCount: Int

    public var description: String {
        "token ID \(id) at position \(position) is not in the vocabulary (valid IDs are 0...\(tokenCount - 1))"
    }
}
