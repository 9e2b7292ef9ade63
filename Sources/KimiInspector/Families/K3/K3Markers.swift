import KimiChatTemplate
import KimiTokenizer

/// The control tokens of a Kimi K3 prompt, looked up by name in the model's own configuration,
/// and the IDs of its generation prompts (``K3Renderer/generationPrompt(thinking:)``, encoded
/// segment-wise).
package struct K3Markers: Sendable {
    package let open: Int, close: Int, sep: Int, endOfMessage: Int
    /// The generation prompts: thinking (`…<|open|>think<|sep|>`), then not (`…<|open|>response<|sep|>`).
    package let generationPrompts: [(ids: [Int], thinking: Bool)]

    /// The markers of `tokenizer`; `nil` when its configuration does not name them.
    package init?(_ tokenizer: KimiTokenizer) {
        func id(_ name: String) -> Int? { tokenizer.specialTokens.id(named: name) }
        guard let open = id(K3Renderer.open), let close = id(K3Renderer.close), let sep = id(K3Renderer.sep), let end = id(K3Renderer.endOfMessage)
        else { return nil }
        self.open = open
        self.close = close
        self.sep = sep
        endOfMessage = end
        generationPrompts = [true, false].map { thinking in
            ((try? tokenizer.encode(segments: K3Renderer.generationPrompt(thinking: thinking))) ?? [], thinking)
        }
    }

    /// Whether `id` is one of the four structural markers.
    package func isStructural(_ id: Int) -> Bool { id == open || id == close || id == sep || id == endOfMessage }

    /// The marker names, for text scans.
    package static let names = K3Renderer.markers
}
