import KimiChatTemplate
import KimiTokenizer

/// Media tokens outside `<|media_begin|>KIND<|media_content|><|media_pad|><|media_end|>`, the
/// sequence the K2.5 template writes for an image. Only where the vocabulary names them.
struct MediaRule: PromptRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext) -> [Finding] {
        guard let begin = markers.mediaBegin, let content = markers.mediaContent, let pad = markers.mediaPad, let end = markers.mediaEnd else {
            return []
        }
        let stream = context.stream
        var findings: [Finding] = []
        var index = 0
        while index < stream.count {
            let id = stream.ids[index]
            guard markers.isMediaToken(id) else { index += 1; continue }
            if id == begin {
                var next = index + 1
                while next < stream.count, !stream.isSpecial[next] { next += 1 }
                if next > index + 1, next + 2 < stream.count, stream.ids[next] == content, stream.ids[next + 1] == pad, stream.ids[next + 2] == end {
                    index = next + 3
                    continue
                }
            }
            findings.append(
                context.finding(
                    .misplacedMediaToken, .warning, at: index,
                    "\(stream.visible(index..<index + 1)) outside <|media_begin|>KIND<|media_content|><|media_pad|><|media_end|>, the sequence the K2.5 template writes for an image",
                    fix: "send images as content parts ({\"type\": \"image_url\", ...}) and let the template place the media tokens"))
            index += 1
        }
        return findings
    }
}
