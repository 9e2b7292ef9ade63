import Foundation
import KimiTokenizer

/// The one render pipeline: a chat request to the prompt that the model's own tokenizer class
/// builds, exactly as transformers' `apply_chat_template(..., tokenize=False)` does.
///
/// It resolves the template (a file given by the caller, else the model directory's
/// `chat_template.jinja`, else its `tokenizer_config.json` `chat_template`, picking `tool_use`
/// from a named set when tools are given), sets the special-token variables, applies the
/// family's own steps (for K2.5: deep-sorted tools, `tools_ts_str`, `thinking` and
/// `preserve_thinking`) and renders. The CLI, ``KimiPromptExpectations``, the fuzz targets and
/// the tests all render through it.
public struct ChatRenderer: Sendable {
    /// The family whose tokenizer class the renderer follows.
    public let family: ModelFamily
    /// The special-token variables every render gets.
    public let specialTokenVariables: [String: Value]
    /// The budget of each render that is not given one of its own.
    public var limits = RenderLimits()
    private let templates: Templates

    /// Templates parsed up front; a named template that fails to parse fails only when chosen,
    /// as transformers compiles only the one it uses.
    private enum Templates: Sendable {
        case single(Result<Template, TemplateError>)
        case named([(name: String, template: Result<Template, TemplateError>)], origin: String)
        case none(String)
    }

    /// A request the renderer refuses before rendering.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Variable names the renderer sets itself (or that `apply_chat_template` takes as its own
    /// arguments), which `variables` may not set.
    public static let reservedVariables: Set<String> = [
        "messages", "conversation", "conversations", "tools", "documents", "add_generation_prompt",
        "chat_template", "continue_final_message", "return_assistant_tokens_mask", "tokenize",
        "padding", "truncation", "max_length", "return_tensors", "return_dict", "tokenizer_kwargs",
    ]

    /// The renderer of a model directory; `templatePath` replaces the directory's template and
    /// `family` the detected family.
    public init(modelDirectory: ModelDirectory, templatePath: String? = nil, family: ModelFamily? = nil) throws {
        try self.init(configuration: ModelConfiguration(directory: modelDirectory), templatePath: templatePath, family: family)
    }

    /// The renderer of an already read model configuration.
    public init(configuration: ModelConfiguration, templatePath: String? = nil, family: ModelFamily? = nil) throws {
        self.family = family ?? configuration.family
        specialTokenVariables = configuration.specialTokenVariableMap
        if self.family == .k3, templatePath != nil {
            throw Refusal("Kimi K3 has no Jinja chat template: its prompt is built as XTML segments; leave out --template")
        }
        if let templatePath {
            let text = try ModelConfiguration.readText(templatePath)
            templates = .single(Result { () throws(TemplateError) in try Template(source: text, name: templatePath) })
            return
        }
        switch configuration.templates {
        case let .single(text, origin):
            templates = .single(Result { () throws(TemplateError) in try Template(source: text, name: origin) })
        case let .named(entries, origin):
            templates = .named(
                entries.map { entry in
                    (entry.name, Result { () throws(TemplateError) in try Template(source: entry.text, name: "\(origin) '\(entry.name)'") })
                }, origin: origin)
        case .none:
            templates = .none("no chat template: pass --template, or put chat_template.jinja or a 'chat_template' field in \(configuration.directory.path)")
        }
    }

    /// This renderer with `limits` as the budget of every render.
    public func limited(by limits: RenderLimits) -> ChatRenderer {
        var renderer = self
        renderer.limits = limits
        return renderer
    }

    /// A renderer for a template of one's own.
    public init(template: Template, specialTokenVariables: [String: Value] = [:], family: ModelFamily = .k2) {
        self.family = family
        self.specialTokenVariables = specialTokenVariables
        templates = .single(.success(template))
    }

    /// The template used for `request`: a named set gives `tool_use` when the request has tools
    /// (even an empty list), else `default`.
    public func template(for request: ChatRequest) throws -> Template {
        switch templates {
        case let .single(result):
            return try result.get()
        case let .named(entries, origin):
            let wanted = request.tools != nil && entries.contains { $0.name == "tool_use" } ? "tool_use" : "default"
            guard let entry = entries.first(where: { $0.name == wanted }) else {
                throw Refusal("\(origin) has named chat templates (\(entries.map(\.name).sorted().joined(separator: ", "))) but none called 'default'")
            }
            return try entry.template.get()
        case let .none(message):
            throw Refusal(message)
        }
    }

    /// The prompt for `request`.
    ///
    /// - Parameters:
    ///   - addGenerationPrompt: end with the assistant header, as engines must for generation.
    ///   - variables: more template variables (e.g. `thinking`), as `apply_chat_template` keyword
    ///     arguments: they override the special-token variables and the family's defaults.
    public func render(
        _ request: ChatRequest, addGenerationPrompt: Bool = true,
        variables: [String: Value] = [:], limits: RenderLimits? = nil
    ) throws -> String {
        let taken = variables.keys.filter(Self.reservedVariables.contains).sorted()
        if !taken.isEmpty {
            throw Refusal(
                "--variable may not set \(taken.joined(separator: ", ")): the renderer sets \(taken.count == 1 ? "it" : "them") from the request and options")
        }
        if family == .k3 {
            return try K3Renderer.segments(request, addGenerationPrompt: addGenerationPrompt, variables: variables).map(\.text).joined()
        }
        let template = try template(for: request)
        var context = specialTokenVariables
        var tools = request.tools
        if family == .k25 {
            tools = tools.map { $0.map(ToolDeclarationTS.sortingKeysDeep) }
            context["thinking"] = .bool(true)
            context["preserve_thinking"] = .bool(false)
        }
        for (name, value) in variables { context[name] = value }
        if family == .k25, let tools, !tools.isEmpty, let declaration = try? ToolDeclarationTS.declaration(of: tools) {
            context["tools_ts_str"] = .string(declaration)
        }
        context["messages"] = .list(request.messages)
        context["tools"] = tools.map { .list($0) } ?? Value.none
        context["documents"] = Value.none
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        return try template.render(context, limits: limits ?? self.limits)
    }

    private func checkVariables(_ variables: [String: Value]) throws {
        let taken = variables.keys.filter(Self.reservedVariables.contains).sorted()
        if !taken.isEmpty {
            throw Refusal(
                "--variable may not set \(taken.joined(separator: ", ")): the renderer sets \(taken.count == 1 ? "it" : "them") from the request and options")
        }
    }

    /// The tool declaration the model sees for `request`'s tools: the text of the template's
    /// `tool_declare` message (for K2.5 the TypeScript `tools_ts_str`, or the JSON fallback when
    /// the encoder fails, which `note` then explains).
    public func toolDeclaration(_ request: ChatRequest, variables: [String: Value] = [:]) throws -> (text: String, note: String?) {
        guard let tools = request.tools, !tools.isEmpty else { throw Refusal("the request has no tools to declare") }
        var note: String?
        if family == .k25 {
            do {
                let text = try ToolDeclarationTS.declaration(of: tools.map(ToolDeclarationTS.sortingKeysDeep))
                if !text.isEmpty { return (text, nil) }
                note = "no tool is a function with a body, so K2.5 declares the tools as JSON"
            } catch {
                note = "K2.5's TypeScript encoder fails on these tools (\(error)), so the template declares them as JSON"
            }
        }
        let toolsOnly = try ChatRequest(messages: [], tools: tools)
        let prompt = try render(toolsOnly, addGenerationPrompt: false, variables: variables)
        let opener = "tool_declare<|im_middle|>"
        guard let start = prompt.range(of: opener) else {
            throw Refusal("the chat template writes no tool_declare message for these tools")
        }
        let rest = prompt[start.upperBound...]
        let end = rest.range(of: "<|im_end|>")?.lowerBound ?? rest.endIndex
        return (String(rest[..<end]), note)
    }

    /// A prompt as an engine builds it, with the content format the engine used.
    public struct EngineRendering: Sendable {
        public let prompt: String
        /// vLLM's resolved content format (`string` or `openai`); `nil` for the reference.
        public let contentFormat: ContentFormat?
        /// For Kimi K3, the segments the prompt is made of (encoded one by one).
        public let segments: [PromptSegment]?

        /// The prompt's token IDs: segment by segment for K3, else the prompt as engines encode it.
        public func ids(with tokenizer: KimiTokenizer) throws -> [Int] {
            if let segments { return try tokenizer.encode(segments: segments) }
            return try tokenizer.encode(prompt, mode: .hf)
        }
    }

    /// The prompt `engine` builds from `request`: the reference renders as ``render(_:addGenerationPrompt:variables:limits:)``
    /// does; `vllm` first applies ``VLLMPreprocessing`` (all its steps, or only `steps`) under
    /// `contentFormat` (`auto` is detected from the template, as vLLM does).
    public func render(
        _ request: ChatRequest, engine: EngineProfile, contentFormat: ContentFormat = .auto,
        steps: VLLMPreprocessing.Steps = .all, addGenerationPrompt: Bool = true,
        variables: [String: Value] = [:], limits: RenderLimits? = nil
    ) throws -> EngineRendering {
        if family == .k3 {
            guard engine == .reference else {
                throw Refusal("the \(engine.rawValue) engine profile is for Jinja templates; Kimi K3 has none")
            }
            try checkVariables(variables)
            let segments = try K3Renderer.segments(request, addGenerationPrompt: addGenerationPrompt, variables: variables)
            return EngineRendering(prompt: segments.map(\.text).joined(), contentFormat: nil, segments: segments)
        }
        switch engine {
        case .reference:
            return EngineRendering(
                prompt: try render(request, addGenerationPrompt: addGenerationPrompt, variables: variables, limits: limits),
                contentFormat: nil, segments: nil)
        case .vllm:
            let format = VLLMPreprocessing.resolve(contentFormat, template: try template(for: request))
            let preprocessed = try VLLMPreprocessing.apply(request, format: format, steps: steps)
            return EngineRendering(
                prompt: try render(preprocessed, addGenerationPrompt: addGenerationPrompt, variables: variables, limits: limits),
                contentFormat: format, segments: nil)
        }
    }
}
