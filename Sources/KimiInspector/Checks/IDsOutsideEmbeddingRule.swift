import KimiChatTemplate
import KimiTokenizer

/// IDs the vocabulary does not have, and IDs at or beyond the model's embedding (reserved
/// tokens the model has no row for).
struct IDsOutsideEmbeddingRule: PromptRule {
    /// The model's embedding size: IDs at or above it are never valid input.
    static let embeddingSize = 163_840

    func findings(in context: PromptContext) -> [Finding] {
        let stream = context.stream
        return stream.ids.indices.compactMap { index in
            let id = stream.ids[index]
            if !stream.isKnown[index] {
                return context.finding(
                    .idOutsideEmbedding, .error, at: index, "ID \(id) is not in the vocabulary (valid IDs are 0...\(context.tokenizer.tokenCount - 1))",
                    fix: "the engine used another tokenizer or corrupted the IDs; re-tokenize with the Kimi vocabulary")
            }
            if id >= Self.embeddingSize {
                return context.finding(
                    .idOutsideEmbedding, .error, at: index,
                    "ID \(id) (\(stream.visible(index..<index + 1))) is at or beyond the model's embedding size \(Self.embeddingSize)",
                    fix: "the model has no embedding for it; remove the reserved token from the prompt")
            }
            return nil
        }
    }
}
