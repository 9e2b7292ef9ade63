import KimiChatTemplate
import KimiTokenizer

/// The IDs of the special tokens that structure a Kimi K2 / K2.5 prompt, looked up by name in
/// the model directory's own configuration (never from a table compiled in).
package struct KimiMarkers: Sendable {
    package let imSystem: Int, imUser: Int, imAssistant: Int, imMiddle: Int, imEnd: Int
    package let sectionBegin: Int, sectionEnd: Int, callBegin: Int, argumentBegin: Int, callEnd: Int
    /// `<think>` and `</think>` when the configuration names them as special tokens (K2.5).
    package let thinkBegin: Int?, thinkEnd: Int?
    /// `<|media_begin|>`, `<|media_content|>`, `<|media_pad|>`, `<|media_end|>` when named.
    package let mediaBegin: Int?, mediaContent: Int?, mediaPad: Int?, mediaEnd: Int?
    /// The ID of the word `assistant`.
    package let assistantWord: Int
    /// `<|im_assistant|>` `assistant` `<|im_middle|>`: the assistant header a generation prompt
    /// starts with.
    package let generationPrompt: [Int]
    /// The markers of `tokenizer`'s vocabulary; `nil` if it lacks any of the K2 chat markers.
    package init?(_ tokenizer: KimiTokenizer) {
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
        thinkBegin = id("<think>"); thinkEnd = id("</think>")
        mediaBegin = id("<|media_begin|>"); mediaContent = id("<|media_content|>")
        mediaPad = id("<|media_pad|>"); mediaEnd = id("<|media_end|>")
        self.assistantWord = assistantWord[0]
        generationPrompt = [assistant, assistantWord[0], middle]
    }

    /// Whether `id` opens a message.
    package func isRoleMarker(_ id: Int) -> Bool { id == imSystem || id == imUser || id == imAssistant }

    /// Whether `id` is one of the media tokens.
    package func isMediaToken(_ id: Int) -> Bool {
        [mediaBegin, mediaContent, mediaPad, mediaEnd].contains(id)
    }
}
