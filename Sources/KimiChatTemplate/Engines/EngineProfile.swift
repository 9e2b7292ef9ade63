/// Whose preprocessing a request goes through before the chat template renders it.
///
/// `reference` is the model's own tokenizer class (transformers' `apply_chat_template`): what an
/// engine should send. An engine profile is what that engine does send: its own step between
/// reading the request and rendering the template. More engines (SGLang, llama.cpp) go beside
/// `vllm` as their own cases and steps.
public enum EngineProfile: String, CaseIterable, Sendable, Codable {
    case reference
    /// vLLM 0.33's chat preprocessing (see ``VLLMPreprocessing``).
    case vllm
}

/// vLLM's `--chat-template-content-format`: how message content reaches the template.
public enum ContentFormat: String, CaseIterable, Sendable, Codable {
    /// Detected from the template: `openai` when it loops over a message's content.
    case auto
    /// Content as one string: text parts joined with a line feed.
    case string
    /// Content as a list of parts: a string becomes one text part, `null` an empty list.
    case openai
}
