/// A Kimi model family: the models that share one chat format and one tokenizer class.
///
/// All of them use the same `tiktoken.model`; they differ in the special tokens their
/// `tokenizer_config.json` names and in how their tokenizer class turns a chat into a prompt.
public enum ModelFamily: String, CaseIterable, Sendable, Codable {
    /// Kimi K2 (Instruct, Thinking): transformers' `apply_chat_template` with the Jinja template.
    case k2
    /// Kimi K2.5 and K2.6 (and K2.7 Code): the Jinja template after the tokenizer class has
    /// deep-sorted the tools, declared them in TypeScript (`tools_ts_str`) and set `thinking`.
    case k25
    /// Kimi K3: no Jinja; the prompt is built as XTML segments, each encoded on its own.
    case k3

    /// The family a model directory belongs to: `config.json`'s `model_type` when it names one
    /// (`kimi_k25`, `kimi_k3`), else what the special-token names give away (`<|open|>` is K3's,
    /// `<think>` as a special token is K2.5's), else K2.
    public static func detect(modelType: String?, specialTokenNames: some Sequence<String>) -> ModelFamily {
        let names = Set(specialTokenNames)
        if modelType == "kimi_k3" || names.contains("<|open|>") { return .k3 }
        if modelType == "kimi_k25" { return .k25 }
        if modelType == nil, names.contains("<think>") { return .k25 }
        return .k2
    }

    /// The format of this family: the one place a family becomes its type.
    public var format: any ChatFormat {
        switch self {
        case .k2: K2ChatFormat()
        case .k25: K25ChatFormat()
        case .k3: K3ChatFormat()
        }
    }

    /// The family whose signature tokens (``ChatFormat/signatureTokens``) `ids` hold, other
    /// than `self`, with the tokens found; `nil` when none does. Only IDs that `isReserved`
    /// says this model's vocabulary does not name count, so markers two families share never
    /// decide.
    public func foreignFamily(in ids: [Int], isReserved: (Int) -> Bool) -> (family: ModelFamily, tokens: [(id: Int, name: String)])? {
        let present = Set(ids)
        for family in Self.allCases where family != self {
            let found = family.format.signatureTokens.filter { present.contains($0.id) && isReserved($0.id) }
            if !found.isEmpty { return (family, found) }
        }
        return nil
    }

    /// The name people use, e.g. "Kimi K2.5/K2.6".
    public var displayName: String { format.displayName }
}
