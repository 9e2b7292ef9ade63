import KimiChatTemplate
import KimiInspector

/// One request as an endpoint sees it: its fields, the models, and what the policy lets it do.
/// Every render it causes runs under the request's budget, which its cancellation flag can cut
/// short (the client went away, the server is shutting down).
struct EndpointRequest: Sendable {
    let fields: RequestFields
    let models: ModelRegistry
    let policy: RequestPolicy
    let cancellation: RenderCancellation

    /// Whether the request carries a template of its own (it is then run on the sandbox pool).
    var sendsTemplate: Bool { fields.has("chat_template") }

    /// The model `model` names (the first one when it names none).
    func model() throws -> ServedModel {
        try models.model(named: try fields.string("model"))
    }

    /// `model` for an inspection: its own template, or the request's `chat_template` when the
    /// policy allows it; every render under the request's budget.
    func inspected(_ model: ServedModel) throws -> InspectedModel {
        try policy.checkChatTemplate(fields)
        return try model.inspected(chatTemplate: try fields.string("chat_template"), limits: policy.limits(cancelledBy: cancellation))
    }

    /// The renderer of `model` for this request (see ``inspected(_:)``).
    func renderer(_ model: ServedModel) throws -> ChatRenderer {
        try inspected(model).renderer()
    }

    /// `chat_template_kwargs` as template variables, checked against the policy.
    func templateVariables(_ model: ServedModel) throws -> [String: Value] {
        try policy.checkChatTemplate(fields)
        try policy.checkTemplateVariables(fields.templateKwargNames, specialTokenVariables: Set(model.configuration.specialTokenVariableMap.keys))
        return try fields.templateVariables()
    }

    /// How an engine renders this request: `content_format`, `add_generation_prompt` (default
    /// true) and `chat_template_kwargs`.
    func engineRenderOptions(_ model: ServedModel) throws -> EngineRenderOptions {
        EngineRenderOptions(
            contentFormat: try fields.choice("content_format", as: ContentFormat.self) ?? .auto,
            endpoint: try fields.choice("endpoint", as: EngineRenderOptions.Endpoint.self) ?? .chat,
            addGenerationPrompt: try fields.bool("add_generation_prompt") ?? true, variables: try templateVariables(model))
    }
}
