import KimiChatTemplate

/// Token IDs in any shape engines return them.
///
/// - a JSON array of integers;
/// - vLLM `/tokenize` and llama.cpp `/tokenize`: `{"tokens": [...]}`, llama.cpp's with pieces
///   as `[{"id": 1, "piece": "a"}, ...]`;
/// - `prompt_token_ids` at the top level or in each choice, and `choices[i].token_ids`
///   (vLLM `return_token_ids`);
/// - SGLang `meta_info.input_token_logprobs` as `[logprob, id, text]` triples;
/// - numbers separated by commas or whitespace.
public enum EngineTokenIDs {
    /// Input that holds no token IDs in a known shape.
    public struct UnknownShape: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public static func parse(_ bytes: [UInt8]) throws -> [Int] {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        guard trimmed.first == "[" || trimmed.first == "{" else { return try separatedNumbers(text) }
        return try ids(in: try JSONReader.parse(bytes))
    }

    static func ids(in value: Value) throws -> [Int] {
        switch value {
        case let .list(box):
            return try box.items.enumerated().map { position, item in try integer(item, position) }
        case let .dict(box):
            if case let .list(tokens)? = box[.string("tokens")] {
                return try tokens.items.enumerated().map { position, item in
                    if case let .dict(token) = item, let id = token[.string("id")] { return try integer(id, position) }
                    return try integer(item, position)
                }
            }
            if let ids = box[.string("prompt_token_ids")] { return try self.ids(in: ids) }
            if case let .dict(meta)? = box[.string("meta_info")], case let .list(triples)? = meta[.string("input_token_logprobs")] {
                return try triples.items.enumerated().map { position, triple in
                    guard case let .list(parts) = triple, parts.items.count >= 2 else {
                        throw UnknownShape("meta_info.input_token_logprobs[\(position)] is not a [logprob, id, text] triple")
                    }
                    return try integer(parts.items[1], position)
                }
            }
            if case let .list(choices)? = box[.string("choices")], case let .dict(first)? = choices.items.first {
                if let ids = first[.string("prompt_token_ids")] { return try self.ids(in: ids) }
                if let ids = first[.string("token_ids")] { return try self.ids(in: ids) }
            }
            throw UnknownShape("no token IDs found: expected an array, 'tokens', 'prompt_token_ids', 'choices[0].token_ids' or 'meta_info.input_token_logprobs'")
        default:
            throw UnknownShape("token IDs must be a JSON array or object, not \(value.typeName)")
        }
    }

    private static func integer(_ value: Value, _ position: Int) throws -> Int {
        guard case let .int(id) = value else {
            throw UnknownShape("token ID at position \(position) is \(value.pythonRepr), not an integer")
        }
        guard id >= 0 else { throw UnknownShape("token ID at position \(position) is \(id); IDs are not negative") }
        return id
    }

    private static func separatedNumbers(_ text: String) throws -> [Int] {
        try text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).enumerated().map { position, field in
            guard let id = Int(field) else { throw UnknownShape("token ID at position \(position) is '\(field)', not an integer") }
            guard id >= 0 else { throw UnknownShape("token ID at position \(position) is \(id); IDs are not negative") }
            return id
        }
    }
}
