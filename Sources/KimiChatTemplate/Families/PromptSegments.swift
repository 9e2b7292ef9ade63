import KimiIO
import KimiTokenizer

/// Segments as people write them: a JSON list of `[text, allow_special]` pairs (the shape of the
/// reference's `segments`), or of `{"text", "special"}` objects (the shape `render --json` prints).
public enum PromptSegments {
    public static func read(_ json: [UInt8]) throws -> [PromptSegment] {
        guard case let .array(items) = try JSONReader.parse(json) else {
            throw KimiError(.badInput, "segments must be a JSON list of [text, allow_special]")
        }
        return try items.enumerated().map { index, item in
            switch item {
            case let .array(pair):
                guard pair.count == 2, case let .string(text) = pair[0], case let .bool(special) = pair[1] else {
                    throw KimiError(.badInput, "segment \(index) is not [text, allow_special] with a string and a boolean")
                }
                return PromptSegment(text: text, special: special)
            case .object:
                guard case let .string(text)? = item["text"], case let .bool(special)? = item["special"] else {
                    throw KimiError(.badInput, "segment \(index) is not {\"text\": string, \"special\": boolean}")
                }
                return PromptSegment(text: text, special: special)
            default:
                throw KimiError(.badInput, "segment \(index) is \(item.typeName), not [text, allow_special]")
            }
        }
    }
}
