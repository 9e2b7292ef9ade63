import KimiChatTemplate

/// How a family's model writes tool calls in its output, and the parser that reads them: K2
/// markup (`<|tool_calls_section_begin|>…`, Kimi K2 and K2.5) or XTML (`<|open|>tools<|sep|>…`,
/// Kimi K3). Parsing needs no vocabulary, so this is apart from ``FamilyInspection``.
public struct ToolCallSyntax: Sendable {
    /// Which syntax this is.
    public enum Kind: Sendable, Equatable {
        case k2Markup, xtml

        /// The syntax as messages name it.
        public var displayName: String {
            switch self {
            case .k2Markup: "Kimi K2 markup"
            case .xtml: "Kimi K3 XTML"
            }
        }
    }

    public let kind: Kind
    /// Whether `output` is written in this syntax.
    public let writes: @Sendable (String) -> Bool
    /// The calls of `output`, validated against the tools.
    public let parse: @Sendable (_ output: String, _ tools: [Value]?) -> ToolCallReport

    static let k2Markup = ToolCallSyntax(
        kind: .k2Markup, writes: { $0.contains("<|tool_call") }, parse: { ToolCallReport(output: $0, tools: $1) })
    static let xtml = ToolCallSyntax(
        kind: .xtml, writes: { $0.contains("<|open|>call ") || $0.contains("<|open|>tools<|sep|>") }, parse: { ToolCallReport(k3Output: $0, tools: $1) })

    /// The syntax of `family`'s output.
    public static func of(_ family: ModelFamily) -> ToolCallSyntax {
        switch family {
        case .k2, .k25: k2Markup
        case .k3: xtml
        }
    }

    /// The syntax `outputs` are written in when the family is not known: XTML when any of them
    /// is, else K2 markup (whose parser also reports output without calls).
    public static func detected(in outputs: [String]) -> ToolCallSyntax {
        outputs.contains(where: xtml.writes) ? xtml : k2Markup
    }
}
