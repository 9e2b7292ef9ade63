/// One piece of a prompt built as segments (Kimi K3): its text, and whether special-token
/// strings in it are control tokens (`special`) or ordinary text.
public struct PromptSegment: Sendable, Equatable, Codable {
    public let text: String
    public let special: Bool

    public init(text: String, special: Bool) {
        self.text = text
        self.special = special
    }
}
