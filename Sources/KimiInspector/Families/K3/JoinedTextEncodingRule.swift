import KimiChatTemplate
import KimiTokenizer

/// IDs that are the encoding of the joined prompt text, not the segment-by-segment encoding K3
/// was trained on (markers merge differently, a special-token string in text becomes a control
/// token).
struct JoinedTextEncodingRule: PromptRule {
    func findings(in context: PromptContext) -> [Finding] {
        let stream = context.stream
        let ids = stream.ids
        guard stream.isKnown.allSatisfy({ $0 }) else { return [] }
        let segments = context.options.referenceSegments ?? XTMLText.segments(of: stream.text(0..<stream.count))
        guard let segmentWise = try? context.tokenizer.encode(segments: segments), segmentWise != ids,
            let joined = try? context.tokenizer.encode(segments.map(\.text).joined(), mode: .hf), joined == ids
        else { return [] }
        let first = zip(ids, segmentWise).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ids.count, segmentWise.count)
        return [
            context.finding(
                .joinedTextEncoding, .error, at: first,
                "the IDs are the encoding of the joined prompt text, not K3's segment-by-segment encoding (they first differ at token \(first): \(stream.visible(first..<min(first + 3, stream.count))))",
                fix:
                    "encode each segment on its own (K3's tokenizer class apply_chat_template does; an engine that renders K3 from a Jinja port must not encode the joined string)"
            )
        ]
    }
}
