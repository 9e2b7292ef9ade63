import KimiTokenizer

/// The control tokens of a Kimi K3 prompt, looked up by name in the model's own configuration,
/// and the IDs of its generation prompts.
public struct K3Markers: Sendable {
    public let open: Int, close: Int, sep: Int, endOfMessage: Int
    /// `<|open|>message role="assistant"<|sep|><|open|>think<|sep|>`, encoded segment-wise.
    public let thinkingGenerationPrompt: [Int]
    /// `<|open|>message role="assistant"<|sep|><|open|>response<|sep|>`.
    public let responseGenerationPrompt: [Int]

    /// The markers of `tokenizer`; `nil` when its configuration does not name them.
    public init?(_ tokenizer: KimiTokenizer) {
        func id(_ name: String) -> Int? { tokenizer.specialTokens.id(named: name) }
        guard let open = id("<|open|>"), let close = id("<|close|>"), let sep = id("<|sep|>"), let end = id("<|end_of_msg|>") else {
            return nil
        }
        self.open = open
        self.close = close
        self.sep = sep
        endOfMessage = end
        func prompt(_ channel: String) -> [Int] {
            let segments = [
                PromptSegment(text: "<|open|>", special: true), PromptSegment(text: "message", special: false),
                PromptSegment(text: " role", special: false), PromptSegment(text: "=\"", special: false),
                PromptSegment(text: "assistant", special: false), PromptSegment(text: "\"", special: false),
                PromptSegment(text: "<|sep|>", special: true), PromptSegment(text: "<|open|>", special: true),
                PromptSegment(text: channel, special: false), PromptSegment(text: "<|sep|>", special: true),
            ]
            return (try? tokenizer.encode(segments: segments)) ?? []
        }
        thinkingGenerationPrompt = prompt("think")
        responseGenerationPrompt = prompt("response")
    }

    /// Whether `id` is one of the four structural markers.
    public func isStructural(_ id: Int) -> Bool { id == open || id == close || id == sep || id == endOfMessage }

    /// The marker names, for text scans.
    public static let names = ["<|open|>", "<|close|>", "<|sep|>", "<|end_of_msg|>"]
}
