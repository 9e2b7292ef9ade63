import KimiChatTemplate
import KimiIO

/// Token IDs in any shape engines return them, with the prompt's IDs told apart from the
/// output's.
///
/// - a JSON array of integers, `{"tokens": [...]}` (vLLM and llama.cpp `/tokenize`, llama.cpp's
///   with pieces as `[{"id": 1, "piece": "a"}, ...]`), `{"ids": [...]}` (kimi-tok's own `--json`),
///   or numbers separated by commas or whitespace: plain IDs, either part;
/// - the prompt: `prompt_token_ids` at the top level or in a choice (vLLM), SGLang's
///   `meta_info.input_token_logprobs` as `[logprob, id, text]` triples;
/// - the output, one list per choice: `choices[i].token_ids` (vLLM `return_token_ids`), SGLang's
///   `output_ids` and `meta_info.output_token_logprobs` (an array of such responses is one per
///   choice).
///
/// A field that is `null` is skipped, so a response whose `prompt_token_ids` is null falls
/// through to the choices.
public enum EngineTokenIDs {
    /// Input that holds no token IDs in a known shape.
    /// Which IDs of a completion response are wanted.
    public enum Part: String, Sendable, CaseIterable {
        case prompt, output
    }

    /// What a response holds.
    struct Found {
        var plain: [Int]?
        var prompt: [Int]?
        var outputs: [[Int]] = []
    }

    /// The prompt's IDs (or plain IDs): what `check` and `compare` read.
    public static func parse(_ bytes: [UInt8]) throws -> [Int] {
        let found = try find(bytes)
        if let ids = found.plain ?? found.prompt { return ids }
        if !found.outputs.isEmpty {
            throw KimiError(
                .badInput,
                "the response holds output IDs (choices[i].token_ids / output_ids) but no prompt IDs; ask the engine for prompt_token_ids, or use --part output where a command takes it"
            )
        }
        throw KimiError(
            .badInput,
            "no token IDs found: expected an array, 'tokens', 'ids', 'prompt_token_ids', 'choices[i].token_ids', 'output_ids' or 'meta_info.input_token_logprobs'"
        )
    }

    /// The output's IDs, one list per choice (plain IDs are one output).
    public static func outputs(_ bytes: [UInt8]) throws -> [[Int]] {
        let found = try find(bytes)
        if let plain = found.plain { return [plain] }
        if !found.outputs.isEmpty { return found.outputs }
        if found.prompt != nil {
            throw KimiError(
                .badInput,
                "the response holds prompt IDs but no output IDs (choices[i].token_ids, output_ids or meta_info.output_token_logprobs); ask the engine to return them"
            )
        }
        throw KimiError(.badInput, "no output token IDs found: expected an array, 'choices[i].token_ids', 'output_ids' or 'meta_info.output_token_logprobs'")
    }

    /// The IDs of `part`, or when `part` is nil the only IDs the input holds; a response with
    /// both prompt and output IDs must name the part.
    public static func ids(_ bytes: [UInt8], part: Part?) throws -> [[Int]] {
        switch part {
        case .prompt?: return [try parse(bytes)]
        case .output?: return try outputs(bytes)
        case nil:
            let found = try find(bytes)
            if let plain = found.plain { return [plain] }
            if found.prompt != nil, !found.outputs.isEmpty {
                throw KimiError(.badInput, "the response holds both prompt IDs and output IDs; choose with --part prompt or --part output")
            }
            if let prompt = found.prompt { return [prompt] }
            return try outputs(bytes)
        }
    }

    static func find(_ bytes: [UInt8]) throws -> Found {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        guard trimmed.first == "[" || trimmed.first == "{" else { return Found(plain: try separatedNumbers(text)) }
        return try find(in: try JSONReader.parseValue(bytes))
    }

    static func find(in value: Value) throws -> Found {
        switch value {
        case let .list(box):
            if !box.items.isEmpty, box.items.allSatisfy({ if case .dict = $0 { true } else { false } }) {
                // An array of responses (SGLang batches): one output per response.
                var found = Found()
                for item in box.items {
                    let one = try find(in: item)
                    found.prompt = found.prompt ?? one.prompt
                    found.outputs += one.plain.map { [$0] } ?? one.outputs
                }
                return found
            }
            return Found(plain: try integers(box.items, nil))
        case let .dict(box):
            if case let .list(tokens)? = box[.string("tokens")] {
                return Found(
                    plain: try tokens.items.enumerated().map { position, item in
                        if case let .dict(token) = item, let id = token[.string("id")] { return try integer(id, "tokens[\(position)].id") }
                        return try integer(item, "tokens[\(position)]")
                    })
            }
            if case let .list(ids)? = box[.string("ids")] { return Found(plain: try integers(ids.items, "ids")) }
            var found = Found()
            found.prompt = try list(box, "prompt_token_ids")
            var choicePrompt: [Int]?
            if case let .list(choices)? = box[.string("choices")] {
                for (index, choice) in choices.items.enumerated() {
                    guard case let .dict(choiceBox) = choice else { continue }
                    choicePrompt = try choicePrompt ?? list(choiceBox, "prompt_token_ids", "choices[\(index)].")
                    if let output = try list(choiceBox, "token_ids", "choices[\(index)].") { found.outputs.append(output) }
                }
            }
            found.prompt = found.prompt ?? choicePrompt
            if let output = try list(box, "output_ids") { found.outputs.append(output) }
            if case let .dict(meta)? = box[.string("meta_info")] {
                found.prompt = try found.prompt ?? triples(meta, "input_token_logprobs")
                if found.outputs.isEmpty, let output = try triples(meta, "output_token_logprobs") { found.outputs.append(output) }
            }
            return found
        default:
            throw KimiError(.badInput, "token IDs must be a JSON array or object, not \(value.typeName)")
        }
    }

    /// The integers of `box[key]` when it is a list; `nil` when absent or null.
    private static func list(_ box: Value.DictBox, _ key: String, _ prefix: String = "") throws -> [Int]? {
        switch box[.string(key)] {
        case nil, .none?: return nil
        case let .list(items)?: return try integers(items.items, prefix + key)
        case let other?: throw KimiError(.badInput, "\(prefix)\(key) is \(other.typeName), not an array of token IDs")
        }
    }

    /// The IDs of SGLang's `[logprob, id, text]` triples under `meta_info[key]`.
    private static func triples(_ meta: Value.DictBox, _ key: String) throws -> [Int]? {
        guard case let .list(triples)? = meta[.string(key)] else { return nil }
        return try triples.items.enumerated().map { position, triple in
            guard case let .list(parts) = triple, parts.items.count >= 2 else {
                throw KimiError(.badInput, "meta_info.\(key)[\(position)] is not a [logprob, id, text] triple")
            }
            return try integer(parts.items[1], "at position \(position) of meta_info.\(key)")
        }
    }

    /// The integers of a list: plain (`field` nil) or under a named field.
    private static func integers(_ items: [Value], _ field: String?) throws -> [Int] {
        try items.enumerated().map { position, item in
            try integer(item, "at position \(position)" + (field.map { " of " + $0 } ?? ""))
        }
    }

    private static func integer(_ value: Value, _ field: String) throws -> Int {
        switch value {
        case let .int(id):
            guard id >= 0 else { throw KimiError(.badInput, "token ID \(field) is \(id); IDs are not negative") }
            return id
        case let .bigInt(digits):
            throw KimiError(.badInput, "token ID \(field) is \(digits), out of range (valid IDs are far below 2^63)")
        default:
            throw KimiError(.badInput, "token ID \(field) is \(value.pythonRepr), not an integer")
        }
    }

    private static func separatedNumbers(_ text: String) throws -> [Int] {
        try text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).enumerated().map { position, field in
            try number(String(field), position: position)
        }
    }

    /// One ID written as text: an integer, or an error that says whether it is not a number at
    /// all or a number out of range.
    public static func number(_ field: String, position: Int) throws -> Int {
        if let id = Int(field) {
            guard id >= 0 else { throw KimiError(.badInput, "token ID at position \(position) is \(id); IDs are not negative") }
            return id
        }
        let digits = field.hasPrefix("-") || field.hasPrefix("+") ? field.dropFirst() : Substring(field)
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw KimiError(.badInput, "token ID at position \(position) is \(field), out of range (valid IDs are 0 and up, far below 2^63)")
        }
        throw KimiError(.badInput, "token ID at position \(position) is '\(field)', not an integer")
    }
}
