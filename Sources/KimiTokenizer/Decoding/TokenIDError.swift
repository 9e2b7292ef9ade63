import KimiIO

/// A token ID that the vocabulary does not have.
public struct TokenIDError: ClassifiedError, Equatable {
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

extension TokenIDError {
    /// Input the tokenizer cannot use.
    public var errorKind: KimiError.Kind { .badInput }
}
