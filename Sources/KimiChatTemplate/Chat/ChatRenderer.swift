import Foundation
import KimiTokenizer

/// The one render pipeline: a chat request to the prompt that the model's own tokenizer class
/// builds, exactly as transformers' `apply_chat_template(..., tokenize=False)` does.
///
/// It resolves the template (a file given by the caller, else the model directory's
/// `chat_template.jinja`, else its `tokenizer_config.json` `chat_template`, picking `tool_use`
/// from a named set when tools are given), sets the special-token variables and hands the
/// request to the family's ``ChatFormat``, which applies its own steps and renders. Engines
/// render through it too (``EngineProfile``). The CLI, ``KimiPromptExpectations``, the fuzz
/// targets and the tests all render through it.
public struct ChatRenderer: Sendable {
    /// The family whose tokenizer class the renderer follows.
    public let format: any ChatFormat
    /// The special-token variables every render gets.
    public let specialTokenVariables: [String: Value]
    /// The budget of each render that is not given one of its own.
    public var limits = RenderLimits()
    /// Where the template came from: a file the caller named (an engine's `--chat-template`),
    /// or the model directory (or a template given as text).
    public private(set) var templateFromFile = false
    private var templates: Templates

    /// Templates parsed up front; a named template that fails to parse fails only when chosen,
    /// as transformers compiles only the one it uses.
    private enum Templates: Sendable {
        case single(Result<Template, TemplateError>)
        case named([(name: String, template: Result<Template, TemplateError>)], origin: String)
        case none(String)
    }

    /// Variable names the renderer sets itself (or that `apply_chat_template` takes as its own
    /// arguments), which `variables` may not set.
    public static let reservedVariables: Set<String> = [
        "messages", "conversation", "conversations", "tools", "documents", "add_generation_prompt",
        "chat_template", "continue_final_message", "return_assistant_tokens_mask", "tokenize",
        "padding", "truncation", "max_length", "return_tensors", "return_dict", "tokenizer_kwargs",
    ]

    /// The family of the format.
    public var family: ModelFamily { format.family }

    /// The renderer of a model directory; `templatePath` replaces the directory's template and
    /// `family` the detected family.
    public init(modelDirectory: ModelDirectory, templatePath: String? = nil, family: ModelFamily? = nil) throws {
        try self.init(configuration: ModelConfiguration(directory: modelDirectory), templatePath: templatePath, family: family)
    }

    /// The renderer of an already read model configuration.
    public init(configuration: ModelConfiguration, templatePath: String? = nil, family: ModelFamily? = nil) throws {
        format = (family ?? configuration.family).format
        specialTokenVariables = configuration.specialTokenVariableMap
        if templatePath != nil { try Self.refuseTemplate(for: format, leaveOut: "--template") }
        if let templatePath {
            let text = try ModelConfiguration.readText(templatePath)
            templates = .single(Result { () throws(TemplateError) in try Template(source: text, name: templatePath) })
            templateFromFile = true
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

    /// The renderer of a model with a template given as text (`name` says where it came from,
    /// `option` how it was given, for the refusal of a family without templates).
    public init(configuration: ModelConfiguration, templateSource: String, name: String, option: String) throws {
        format = configuration.family.format
        specialTokenVariables = configuration.specialTokenVariableMap
        try Self.refuseTemplate(for: format, leaveOut: option)
        templates = .single(.success(try Template(source: templateSource, name: name)))
    }

    /// A family built without a template refuses one: the one place that says so.
    private static func refuseTemplate(for format: any ChatFormat, leaveOut option: String) throws {
        if let reason = format.noTemplateReason {
            throw KimiError(.refused, "\(format.displayName) has no Jinja chat template: \(reason); leave out \(option)")
        }
    }

    /// A renderer for a template of one's own (a Jinja family's; K2 unless `family` says which).
    public init(template: Template, specialTokenVariables: [String: Value] = [:], family: ModelFamily = ModelFamily.allCases[0]) {
        format = family.format
        self.specialTokenVariables = specialTokenVariables
        templates = .single(.success(template))
    }

    /// This renderer with `template` in place of its own (an engine that rewrites the template
    /// it loads renders with the rewritten one).
    public func replacingTemplate(with template: Template) -> ChatRenderer {
        var renderer = self
        renderer.templates = .single(.success(template))
        return renderer
    }

    /// This renderer with `limits` as the budget of every render.
    public func limited(by limits: RenderLimits) -> ChatRenderer {
        var renderer = self
        renderer.limits = limits
        return renderer
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
                throw KimiError(
                    .refused, "\(origin) has named chat templates (\(entries.map(\.name).sorted().joined(separator: ", "))) but none called 'default'")
            }
            return try entry.template.get()
        case let .none(message):
            throw KimiError(.refused, message)
        }
    }

    /// The prompt for `request`, with its segments when the family encodes segment by segment.
    ///
    /// - Parameters:
    ///   - addGenerationPrompt: end with the assistant header, as engines must for generation.
    ///   - variables: more template variables (e.g. `thinking`), as `apply_chat_template` keyword
    ///     arguments: they override the special-token variables and the family's defaults.
    public func rendered(
        _ request: ChatRequest, addGenerationPrompt: Bool = true, variables: [String: Value] = [:], limits: RenderLimits? = nil
    ) throws -> RenderedPrompt {
        try checkVariables(variables)
        return try format.prompt(for: request, rendering(addGenerationPrompt, variables, limits))
    }

    /// The prompt's text (for Kimi K3 the segments joined, which is not what K3 encodes: encode
    /// ``rendered(_:addGenerationPrompt:variables:limits:)``'s segments).
    package func render(
        _ request: ChatRequest, addGenerationPrompt: Bool = true, variables: [String: Value] = [:], limits: RenderLimits? = nil
    ) throws -> String {
        try rendered(request, addGenerationPrompt: addGenerationPrompt, variables: variables, limits: limits).text
    }

    /// The prompt `engine` builds from `request` (``EngineProfiles/reference`` renders as
    /// ``rendered(_:addGenerationPrompt:variables:limits:)`` does).
    public func render(_ request: ChatRequest, engine: any EngineProfile, _ options: EngineRenderOptions = EngineRenderOptions()) throws -> EngineRendering {
        try engine.render(request, with: self, options)
    }

    /// The tool declaration the model sees for `request`'s tools: the text of the template's
    /// `tool_declare` message (for K2.5 the TypeScript `tools_ts_str`, or the JSON fallback when
    /// the encoder fails, which `note` then explains).
    public func toolDeclaration(_ request: ChatRequest, variables: [String: Value] = [:]) throws -> (text: String, note: String?) {
        guard let tools = request.tools, !tools.isEmpty else { throw KimiError(.refused, "the request has no tools to declare") }
        try checkVariables(variables)
        return try format.toolDeclaration(of: tools, rendering(false, variables, nil))
    }

    private func rendering(_ addGenerationPrompt: Bool, _ variables: [String: Value], _ limits: RenderLimits?) -> FormatRendering {
        let renderer = self
        return FormatRendering(
            template: { request in try renderer.template(for: request) }, specialTokenVariables: specialTokenVariables, variables: variables,
            addGenerationPrompt: addGenerationPrompt, limits: limits ?? self.limits)
    }

    private func checkVariables(_ variables: [String: Value]) throws {
        let taken = variables.keys.filter(Self.reservedVariables.contains).sorted()
        if !taken.isEmpty {
            throw KimiError(
                .refused,
                "--variable may not set \(taken.joined(separator: ", ")): the renderer sets \(taken.count == 1 ? "it" : "them") from the request and options")
        }
    }
}
