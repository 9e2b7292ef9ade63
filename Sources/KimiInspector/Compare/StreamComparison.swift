import KimiChatTemplate
import KimiTokenizer

/// An engine's token IDs against the reference: where they first differ, an aligned diff,
/// and the likely cause.
public struct StreamComparison: Sendable, Encodable {
    /// One aligned block of the diff with a few tokens of context.
    public struct Hunk: Sendable, Encodable {
        public let referenceStart: Int
        public let engineStart: Int
        public let context: String
        public let reference: [Int]
        public let engine: [Int]
        public let referenceText: String
        public let engineText: String

        enum CodingKeys: String, CodingKey {
            case context, reference, engine
            case referenceStart = "reference_start", engineStart = "engine_start"
            case referenceText = "reference_text", engineText = "engine_text"
        }
    }

    public let equal: Bool
    /// The index of the first differing token, or nil when equal.
    public let firstDivergence: Int?
    public let referenceCount: Int
    public let engineCount: Int
    public let hunks: [Hunk]
    /// A check code or cause: `missing-generation-prompt`, `content-list-leak`,
    /// `special-token-as-text`, `tool-declaration-json`, `joined-text-encoding` (K3), `leading-bos`, `id-outside-embedding`,
    /// `truncation`, `whitespace-only`, `tokenization-only`, `template-difference`, or `equal`.
    public private(set) var classification: FindingCode
    /// One line explaining the classification.
    public private(set) var explanation: String

    enum CodingKeys: String, CodingKey {
        case equal, hunks, classification, explanation
        case firstDivergence = "first_divergence", referenceCount = "reference_count", engineCount = "engine_count"
    }

    /// The same comparison with the cause found by another means (an engine profile's render
    /// that equals the engine's IDs), when the streams differ.
    public func attributed(to cause: FindingCode, _ explanation: String) -> StreamComparison {
        guard !equal else { return self }
        var copy = self
        copy.classification = cause
        copy.explanation = explanation
        return copy
    }

    /// A readable report: the verdict, the classification and the first 20 hunks.
    public var report: String {
        let comparison = self
        guard let first = comparison.firstDivergence else {
            return "equal: \(comparison.referenceCount) tokens, identical IDs\n"
        }
        var output = "different: first divergence at token \(first) (reference \(comparison.referenceCount) tokens, engine \(comparison.engineCount))\n"
        output += "classification: \(comparison.classification): \(comparison.explanation)\n"
        for hunk in comparison.hunks.prefix(20) {
            output += "@@ reference \(hunk.referenceStart), engine \(hunk.engineStart) @@ after: \(hunk.context)\n"
            output += "- " + (hunk.reference.isEmpty ? "(nothing)" : hunk.reference.map(String.init).joined(separator: " ") + "  " + hunk.referenceText) + "\n"
            output += "+ " + (hunk.engine.isEmpty ? "(nothing)" : hunk.engine.map(String.init).joined(separator: " ") + "  " + hunk.engineText) + "\n"
        }
        if comparison.hunks.count > 20 { output += "… \(comparison.hunks.count - 20) more hunks (--json has all)\n" }
        return output
    }

    /// Compares two streams of `family`'s format (detected from the vocabulary when `nil`).
    public init(reference: [Int], engine: [Int], tokenizer: KimiTokenizer, family: ModelFamily? = nil, contextTokens: Int = 3) {
        equal = reference == engine
        referenceCount = reference.count
        engineCount = engine.count
        firstDivergence =
            equal
            ? nil
            : zip(reference, engine).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(reference.count, engine.count)
        let referenceStream = TokenStream(ids: reference, tokenizer: tokenizer)
        let engineStream = TokenStream(ids: engine, tokenizer: tokenizer)
        hunks = equal ? [] : Self.hunks(TokenDiff(reference: reference, engine: engine), referenceStream, engineStream, contextTokens)
        let family = family ?? ModelFamily.detect(modelType: nil, specialTokenNames: tokenizer.specialTokens.names)
        (classification, explanation) = Self.classify(reference, engine, referenceStream, engineStream, tokenizer, family)
    }

    private static func hunks(_ diff: TokenDiff, _ reference: TokenStream, _ engine: TokenStream, _ context: Int) -> [Hunk] {
        var hunks: [Hunk] = []
        var index = 0
        let operations = diff.operations
        while index < operations.count {
            guard case .equal = operations[index] else {
                var end = index
                var deleted: [Int] = [], inserted: [Int] = []
                while end < operations.count {
                    if case let .delete(r) = operations[end] {
                        deleted.append(r)
                    } else if case let .insert(e) = operations[end] {
                        inserted.append(e)
                    } else {
                        break
                    }
                    end += 1
                }
                var referenceStart = deleted.first ?? 0, engineStart = inserted.first ?? 0
                if case let .equal(r, e)? = index > 0 ? operations[index - 1] : nil {
                    referenceStart = deleted.first ?? r + 1
                    engineStart = inserted.first ?? e + 1
                }
                let before = max(0, referenceStart - context)
                hunks.append(
                    Hunk(
                        referenceStart: referenceStart, engineStart: engineStart,
                        context: reference.visible(before..<referenceStart),
                        reference: deleted.map { reference.ids[$0] }, engine: inserted.map { engine.ids[$0] },
                        referenceText: deleted.isEmpty ? "" : reference.visible(deleted[0]..<deleted[deleted.count - 1] + 1),
                        engineText: inserted.isEmpty ? "" : engine.visible(inserted[0]..<inserted[inserted.count - 1] + 1)))
                index = end
                continue
            }
            index += 1
        }
        return hunks
    }

    private static func classify(
        _ reference: [Int], _ engine: [Int], _ referenceStream: TokenStream,
        _ engineStream: TokenStream, _ tokenizer: KimiTokenizer,
        _ family: ModelFamily
    ) -> (FindingCode, String) {
        if reference == engine { return (.equal, "the engine's IDs are identical to the reference") }
        if let outside = engine.first(where: { $0 >= min(tokenizer.tokenCount, IDsOutsideEmbeddingRule.embeddingSize) }) {
            return (
                .idOutsideEmbedding,
                "the engine's stream holds ID \(outside), outside the vocabulary or the model's embedding (another tokenizer, or corrupted IDs)"
            )
        }
        if let bos = tokenizer.specialTokens.id(named: "[BOS]"), engine.first == bos, reference.first != bos,
            Array(engine.dropFirst()) == reference
        {
            return (.leadingBOS, "the engine's stream is the reference with a [BOS] (\(bos)) in front, which llama.cpp adds by default")
        }
        let context = ComparisonContext(
            reference: reference, engine: engine, referenceStream: referenceStream, engineStream: engineStream, tokenizer: tokenizer)
        let inspection = family.inspection(for: tokenizer)
        if let hint = inspection?.comparisonHint(context) { return hint }
        let isReserved = { (id: Int) in tokenizer.specialTokens.name(of: id)?.hasPrefix("<|reserved_token_") ?? false }
        if let foreign = family.foreignFamily(in: engine, isReserved: isReserved) {
            let tokens = foreign.tokens.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
            return (
                .foreignChatMarker,
                "the engine's IDs hold \(tokens), which only \(foreign.family.displayName) names (this \(family.displayName) vocabulary has \(foreign.tokens.count == 1 ? "it" : "them") reserved): the engine serves \(foreign.family.displayName); compare with that model's directory (--model-dir) or --family \(foreign.family.rawValue)"
            )
        }
        if let hint = inspection?.textHint(context) { return hint }
        if reference.starts(with: engine) {
            return (.truncation, "the engine's stream stops after \(engine.count) of the reference's \(reference.count) tokens")
        }
        if engine.starts(with: reference) {
            return (.truncation, "the engine's stream has \(engine.count - reference.count) tokens more after the whole reference")
        }
        if holdsContentRepr(engineStream.bytes), !holdsContentRepr(referenceStream.bytes) {
            return (.contentListLeak, "the engine's prompt prints a Python list of content parts where the reference has text")
        }
        // The same bytes (not `String`'s `==`, which takes canonically equivalent texts as one).
        if referenceStream.bytes == engineStream.bytes {
            let engineSpecials = engineStream.isSpecial.filter { $0 }.count
            let referenceSpecials = referenceStream.isSpecial.filter { $0 }.count
            if engineSpecials < referenceSpecials {
                return (
                    .specialTokenAsText,
                    "the same text, but \(referenceSpecials - engineSpecials) special tokens are spelled as ordinary tokens (special tokens disabled when tokenizing)"
                )
            }
            return (.tokenizationOnly, "the same text tokenized differently (another tokenizer, mode or chunking)")
        }
        let referenceText = referenceStream.text(0..<referenceStream.count)
        let engineText = engineStream.text(0..<engineStream.count)
        if referenceText.filter({ !$0.isWhitespace }) == engineText.filter({ !$0.isWhitespace }) {
            return (.whitespaceOnly, "the prompts differ only in whitespace (trim_blocks / lstrip_blocks, CRLF templates, stripped content)")
        }
        return (.templateDifference, "the prompts' text differs: a different chat template version, different defaults, or different messages")
    }
}

/// Whether `bytes` hold the opening of a Python repr of a content part, `{'type': '`.
private func holdsContentRepr(_ bytes: [UInt8]) -> Bool {
    var needle = "{'type': '"
    return bytes.withUnsafeBufferPointer { haystack in needle.withUTF8 { String.occurrences(of: $0, in: haystack) } } > 0
}
