import Foundation

/// Renders a chat request into a prompt exactly as transformers' `apply_chat_template` does
/// with `tokenize=False`.
public struct ChatRenderer: Sendable {
    public let template: Template
    /// Extra variables every render gets: transformers passes the tokenizer's special tokens
    /// (`bos_token`, `eos_token`, ...).
    public let specialTokenVariables: [String: Value]

    public init(template: Template, specialTokenVariables: [String: Value] = [:]) {
        self.template = template
        self.specialTokenVariables = specialTokenVariables
    }

    /// The special-token variables of a `tokenizer_config.json`: its `bos_token`, `eos_token`,
    /// `unk_token`, `pad_token` and `additional_special_tokens`.
    public static func specialTokenVariables(configJSON: [UInt8]) throws -> [String: Value] {
        guard case let .dict(config) = try JSONReader.parse(configJSON) else { return [:] }
        var variables: [String: Value] = [:]
        for name in ["bos_token", "eos_token", "unk_token", "pad_token"] {
            switch config[.string(name)] {
            case let .string(text)?: variables[name] = .string(text)
            case let .dict(token)?: if let content = token[.string("content")] { variables[name] = content }
            default: break
            }
        }
        if case let .list(list)? = config[.string("additional_special_tokens")] {
            variables["additional_special_tokens"] = .list(list.items)
        }
        return variables
    }

    /// The prompt for `request`.
    ///
    /// - Parameters:
    ///   - addGenerationPrompt: end with the assistant header, as engines must for generation.
    ///   - variables: more template variables (e.g. `thinking`), as `apply_chat_template` kwargs.
    public func render(_ request: ChatRequest, addGenerationPrompt: Bool = true,
                       variables: [String: Value] = [:], limits: RenderLimits = RenderLimits()) throws(TemplateError) -> String {
        var context = specialTokenVariables
        for (name, value) in variables { context[name] = value }
        context["messages"] = .list(request.messages)
        context["tools"] = request.tools.map { .list($0) } ?? Value.none
        context["documents"] = Value.none
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        return try template.render(context, limits: limits)
    }
}
