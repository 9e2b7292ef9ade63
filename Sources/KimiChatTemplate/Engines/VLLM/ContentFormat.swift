/// vLLM's `--chat-template-content-format`: how message content reaches the template.
public enum ContentFormat: String, CaseIterable, Sendable, Codable {
    /// Detected from the template: `openai` when it loops over a message's content.
    case auto
    /// Content as one string: text parts joined with a line feed.
    case string
    /// Content as a list of parts: a string becomes one text part, `null` an empty list.
    case openai
}
