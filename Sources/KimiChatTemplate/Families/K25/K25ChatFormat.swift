/// Kimi K2.5 and K2.6 (and K2.7 Code): the Jinja template after the tokenizer class has
/// deep-sorted the tools, declared them in TypeScript (`tools_ts_str`) and set `thinking` (on)
/// and `preserve_thinking` (off).
public struct K25ChatFormat: JinjaChatFormat {
    public init() {}
    public var family: ModelFamily { .k25 }
    public var displayName: String { "Kimi K2.5/K2.6" }
    public var signatureTokens: [(id: Int, name: String)] { [(163606, "<think>"), (163607, "</think>")] }

    public func preparedTools(_ tools: [Value]?) -> [Value]? { tools.map { $0.map(ToolDeclarationTS.sortingKeysDeep) } }

    public var defaultVariables: [String: Value] { ["thinking": .bool(true), "preserve_thinking": .bool(false)] }

    /// `tools_ts_str` when the TypeScript encoder succeeds on the tools; the template declares
    /// them as JSON otherwise.
    public func derivedVariables(tools: [Value]?) -> [String: Value] {
        guard let tools, !tools.isEmpty, let declaration = try? ToolDeclarationTS.declaration(of: tools) else { return [:] }
        return ["tools_ts_str": .string(declaration)]
    }

    public func toolDeclaration(of tools: [Value], _ rendering: FormatRendering) throws -> (text: String, note: String?) {
        let note: String
        do {
            let text = try ToolDeclarationTS.declaration(of: tools.map(ToolDeclarationTS.sortingKeysDeep))
            if !text.isEmpty { return (text, nil) }
            note = "no tool is a function with a body, so K2.5 declares the tools as JSON"
        } catch {
            note = "K2.5's TypeScript encoder fails on these tools (\(error)), so the template declares them as JSON"
        }
        return (try templateToolDeclaration(of: tools, rendering), note)
    }
}
