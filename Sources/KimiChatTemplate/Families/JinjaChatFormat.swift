/// A family whose prompt a Jinja chat template renders: the tokenizer class prepares the tools
/// and sets variables, then transformers renders the template.
public protocol JinjaChatFormat: ChatFormat {
    /// The tools as the tokenizer class hands them to the template.
    func preparedTools(_ tools: [Value]?) -> [Value]?
    /// Variables the tokenizer class sets; the caller's variables override them.
    var defaultVariables: [String: Value] { get }
    /// Variables computed from the prepared tools, set after the caller's.
    func derivedVariables(tools: [Value]?) -> [String: Value]
}

extension JinjaChatFormat {
    public func preparedTools(_ tools: [Value]?) -> [Value]? { tools }
    public var defaultVariables: [String: Value] { [:] }
    public func derivedVariables(tools: [Value]?) -> [String: Value] { [:] }

    public func prompt(for request: ChatRequest, _ rendering: FormatRendering) throws -> RenderedPrompt {
        let template = try rendering.template(request)
        var context = rendering.specialTokenVariables
        let tools = preparedTools(request.tools)
        for (name, value) in defaultVariables { context[name] = value }
        for (name, value) in rendering.variables { context[name] = value }
        for (name, value) in derivedVariables(tools: tools) { context[name] = value }
        context["messages"] = .list(request.messages)
        context["tools"] = tools.map { .list($0) } ?? Value.none
        context["documents"] = Value.none
        context["add_generation_prompt"] = .bool(rendering.addGenerationPrompt)
        return RenderedPrompt(text: try template.render(context, limits: rendering.limits))
    }

    public func toolDeclaration(of tools: [Value], _ rendering: FormatRendering) throws -> (text: String, note: String?) {
        (try templateToolDeclaration(of: tools, rendering), nil)
    }

    /// The body of the `tool_declare` message the template writes for `tools` alone.
    public func templateToolDeclaration(of tools: [Value], _ rendering: FormatRendering) throws -> String {
        let toolsOnly = try ChatRequest(messages: [], tools: tools)
        let unprompted = FormatRendering(
            template: rendering.template, specialTokenVariables: rendering.specialTokenVariables, variables: rendering.variables,
            addGenerationPrompt: false, limits: rendering.limits)
        let prompt = try self.prompt(for: toolsOnly, unprompted).text
        let opener = "tool_declare<|im_middle|>"
        guard let start = prompt.range(of: opener) else {
            throw KimiError(.refused, "the chat template writes no tool_declare message for these tools")
        }
        let rest = prompt[start.upperBound...]
        let end = rest.range(of: "<|im_end|>")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }
}
