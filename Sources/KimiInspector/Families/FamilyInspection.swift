import KimiChatTemplate
import KimiTokenizer

/// What the inspector knows of one model family: the rules its prompts are checked by, the
/// generation prompts they end with, and what a difference
/// between two of its streams most likely means. Each family is one type in its folder
/// (`K2/`, `K25/`, `K3/`); ``ModelFamily/inspection(for:)`` is the one place that picks it.
public protocol FamilyInspection: Sendable {
    var format: any ChatFormat { get }
    /// How the family encodes a prompt.
    var encoding: PromptContext.Encoding { get }
    /// The rules a prompt of this family is checked by, in order.
    var rules: [any PromptRule] { get }
    /// The generation prompts a prompt may end with, with the thinking mode each means (`nil`
    /// where the family has none).
    var generationPrompts: [(ids: [Int], thinking: Bool?)] { get }
    /// The likely cause of a difference this family's format explains, if any (e.g. K3's
    /// joined-text encoding); asked after the causes every family shares.
    func comparisonHint(_ comparison: ComparisonContext) -> (FindingCode, String)?
    /// A cause read from the prompts' text, asked after the causes read from the IDs.
    func textHint(_ comparison: ComparisonContext) -> (FindingCode, String)?
}

extension FamilyInspection {
    public func textHint(_ comparison: ComparisonContext) -> (FindingCode, String)? { nil }
}

extension ModelFamily {
    /// The family's inspection over `tokenizer`'s vocabulary; `nil` when the vocabulary lacks
    /// the family's markers.
    public func inspection(for tokenizer: KimiTokenizer) -> (any FamilyInspection)? {
        switch self {
        case .k2: K2Inspection(tokenizer)
        case .k25: K25Inspection(tokenizer)
        case .k3: K3Inspection(tokenizer)
        }
    }
}
