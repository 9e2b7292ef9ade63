import KimiTokenizer

/// Two streams being compared, as a family's hints read them (``FamilyInspection/comparisonHint(_:)``).
public struct ComparisonContext {
    public let reference: [Int]
    public let engine: [Int]
    public let referenceStream: TokenStream
    public let engineStream: TokenStream
    public let tokenizer: KimiTokenizer

    /// Whether the engine's stream is the reference without (some of) its final `prompt`, which
    /// the reference ends with.
    public func lacksEnding(_ prompt: [Int]) -> Bool {
        reference.count > engine.count && reference.starts(with: engine) && reference.suffix(prompt.count).elementsEqual(prompt)
            && reference.count - engine.count <= prompt.count
    }

    /// Both prompts' text.
    public var referenceText: String { referenceStream.text(0..<referenceStream.count) }
    public var engineText: String { engineStream.text(0..<engineStream.count) }
}
