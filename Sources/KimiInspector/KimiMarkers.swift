import KimiTokenizer

/// The IDs of the special tokens that structure a Kimi prompt, looked up by name.
public struct KimiMarkers: Sendable {
    public let imSystem: Int, imUser: Int, imAssistant: Int, imMiddle: Int, imEnd: Int
    public let sectionBegin: Int, sectionEnd: Int, callBegin: Int, argumentBegin: Int, callEnd: Int
    /// `<|im_assistant|>` `assistant` `<|im_middle|>`: what a prompt must end with.
    public let generationPrompt: [Int]
    /// The model's embedding size: IDs at or above it are never valid input.
    public static let embeddingSize = 163_840

    /// The markers of `tokenizer`'s vocabulary; `nil` if it lacks any of them.
    public init?(_ tokenizer: KimiTokenizer) {
        func id(_ name: String) -> Int? { tokenizer.specialTokens.id(named: name) }
        guard let system = id("<|im_system|>"), let user = id("<|im_user|>"), let assistant = id("<|im_assistant|>"),
              let middle = id("<|im_middle|>"), let end = id("<|im_end|>"),
              let sectionBegin = id("<|tool_calls_section_begin|>"), let sectionEnd = id("<|tool_calls_section_end|>"),
              let callBegin = id("<|tool_call_begin|>"), let argumentBegin = id("<|tool_call_argument_begin|>"),
              let callEnd = id("<|tool_call_end|>"),
              let assistantWord = try? tokenizer.encode("assistant", mode: .ordinary), assistantWord.count == 1
        else { return nil }
        imSystem = system; imUser = user; imAssistant = assistant; imMiddle = middle; imEnd = end
        self.sectionBegin = sectionBegin; self.sectionEnd = sectionEnd
        self.callBegin = callBegin; self.argumentBegin = argumentBegin; self.callEnd = callEnd
        generationPrompt = [assistant, assistantWord[0], middle]
    }

    /// Whether `id` opens a message.
    public func isRoleMarker(_ id: Int) -> Bool { id == imSystem || id == imUser || id == imAssistant }
}
