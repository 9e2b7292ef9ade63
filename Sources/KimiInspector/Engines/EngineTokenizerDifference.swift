import KimiTokenizer

/// Why an engine's own tokenizer gives other IDs for the same text: a special token its
/// vocabulary does not have (spelled out as text), or a pre-token cut elsewhere, shown with
/// both pre-tokens around the first difference.
enum EngineTokenizerDifference {
    /// The cause of the first difference between `reference` and `engine`, the IDs the
    /// reference tokenizer and `engineTokenizer` give for the same text.
    static func explain(
        reference: [Int], engine: [Int], referenceTokenizer: KimiTokenizer, engineTokenizer: KimiTokenizer
    ) -> (code: FindingCode, explanation: String)? {
        guard let first = zip(reference, engine).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else { return nil }
        let id = reference[first]
        if referenceTokenizer.isSpecial(id), !engineTokenizer.isSpecial(id), let name = referenceTokenizer.specialTokens.name(of: id) {
            return (
                .engineSpecialTokenUnknown,
                "the engine's vocabulary ends before \(name) (ID \(id)): its tokenizer spells it as text (first difference at token \(first))"
            )
        }
        let referencePiece = piece(around: first, of: reference, tokenizer: referenceTokenizer)
        let enginePiece = piece(around: first, of: engine, tokenizer: engineTokenizer)
        return (
            .enginePretokenizerSplit,
            "the engine's own pre-tokenizer cuts the text elsewhere: its pre-token \(enginePiece.debugDescription) where the reference has \(referencePiece.debugDescription) (first difference at token \(first))"
        )
    }

    /// The pre-token holding token `index` of `ids`: the run of ordinary tokens around it
    /// decoded and cut by `tokenizer`'s own pre-tokenizer.
    private static func piece(around index: Int, of ids: [Int], tokenizer: KimiTokenizer) -> String {
        var start = index, end = index
        while start > 0, !tokenizer.isSpecial(ids[start - 1]) { start -= 1 }
        while end < ids.count, !tokenizer.isSpecial(ids[end]) { end += 1 }
        guard let before = try? tokenizer.decodeBytes(Array(ids[start..<index])), let run = try? tokenizer.decode(Array(ids[start..<end])),
            let pieces = try? tokenizer.preTokens(of: run)
        else { return "" }
        var offset = 0
        for piece in pieces {
            offset += piece.utf8.count
            if offset > before.count { return piece }
        }
        return pieces.last ?? ""
    }
}
