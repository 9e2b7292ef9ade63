import KimiChatTemplate
import KimiIO

/// The `<|im_system|>tool_declare<|im_middle|>` message: present when tools were given, equal to
/// what the given tools render to, and (for a family that declares tools in TypeScript) not
/// written as JSON. A JSON declaration differs from the TypeScript one for that reason alone: one
/// finding names it, not two.
struct ToolDeclarationRule: K2MarkupRule {
    let markers: KimiMarkers
    /// Whether the family's tokenizer class declares tools in TypeScript (`tools_ts_str`).
    let typeScript: Bool

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        let stream = context.stream
        guard let declaration = prompt.declaration else {
            guard let tools = context.options.tools, !tools.isEmpty else { return [] }
            return [
                context.finding(
                    .toolDeclarationMissing, .error, at: nil,
                    "\(tools.count) tool(s) were given but the prompt has no <|im_system|>tool_declare<|im_middle|> block",
                    fix: "pass the tools to the chat template (tools=...) so the model can see them")
            ]
        }
        if let json = jsonDeclaration(context, declaration.body) { return [json] }
        guard let expected = context.options.expectedToolDeclaration, stream.text(declaration.body) != expected else { return [] }
        let actual = Array(stream.text(declaration.body).unicodeScalars)
        let wanted = Array(expected.unicodeScalars)
        let first = zip(actual, wanted).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, wanted.count)
        let near = String(String.UnicodeScalarView(actual.dropFirst(max(0, first - 10)).prefix(40)))
        return [
            context.finding(
                .toolDeclarationMismatch, .error, at: declaration.body.lowerBound,
                "the tool declaration is not the one the given tools render to: it differs at character \(first) (\(near.debugDescription))",
                fix: "declare exactly the tools the request sends, rendered by the model's own template and tokenizer class")
        ]
    }

    /// A declaration written as JSON where the tokenizer class declares tools in TypeScript
    /// (unless its encoder fails on these tools): the engine did not run the tokenizer class.
    private func jsonDeclaration(_ context: PromptContext, _ body: Range<Int>) -> Finding? {
        guard typeScript else { return nil }
        let text = context.stream.text(body)
        guard let first = text.unicodeScalars.first, first == "[" || first == "{" else { return nil }
        var severity = Finding.Severity.warning
        var reason = "unless the TypeScript encoder failed on these tools"
        if let tools = context.options.tools, !tools.isEmpty {
            let sorted = tools.map(ToolDeclarationTS.sortingKeysDeep)
            guard let declaration = try? ToolDeclarationTS.declaration(of: sorted), !declaration.isEmpty else { return nil }
            severity = .error
            reason = "and it succeeds on the given tools"
        }
        return context.finding(
            .toolDeclarationJSON, severity, at: body.lowerBound,
            "the tools are declared as JSON, but Kimi K2.5/K2.6's tokenizer class declares them in TypeScript (tools_ts_str), \(reason)",
            fix:
                "load the tokenizer with trust_remote_code so that its apply_chat_template computes tools_ts_str (vLLM/SGLang do); kimi-tok render --tools-only shows the declaration"
        )
    }
}

extension K2MarkupPrompt {
    /// The `tool_declare` system message, if the prompt has one.
    var declaration: PromptStructure.Message? {
        structure.messages.first { $0.role == "system" && $0.name == "tool_declare" }
    }

    /// The function names the declaration lists: JSON (OpenAI tool objects or bare functions)
    /// or K2.5's TypeScript (`type NAME = (` lines inside `namespace functions`).
    func declaredNames(_ stream: TokenStream) -> Set<String>? {
        guard let declaration else { return nil }
        let text = stream.text(declaration.body)
        if text.hasPrefix("# Tools") {
            var names: Set<String> = []
            for line in text.split(separator: "\n") where line.hasPrefix("type ") {
                guard let equals = line.range(of: " = (") else { continue }
                names.insert(String(line[line.index(line.startIndex, offsetBy: 5)..<equals.lowerBound]))
            }
            return names
        }
        guard case let .list(tools)? = try? JSONReader.parseValue(Array(text.utf8)) else { return nil }
        var names: Set<String> = []
        for tool in tools.items {
            guard case let .dict(box) = tool else { continue }
            if case let .dict(function)? = box[.function], let name = function[.name]?.stringValue {
                names.insert(name)
            } else if let name = box[.name]?.stringValue {
                names.insert(name)
            }
        }
        return names
    }
}
