/// Kimi K2 (Instruct, Thinking): transformers' `apply_chat_template` with the model's Jinja
/// template, the request as it is.
public struct K2ChatFormat: JinjaChatFormat {
    public init() {}
    public var family: ModelFamily { .k2 }
    public var displayName: String { "Kimi K2" }
    public var signatureTokens: [(id: Int, name: String)] {
        [(163594, "<|im_system|>"), (163601, "<|im_middle|>"), (163595, "<|tool_calls_section_begin|>")]
    }
}
