import KimiChatTemplate

/// What the service lets a request do, and the budget of its template renders.
public struct RequestPolicy: Sendable {
    /// Whether a request may send its own Jinja (`chat_template`, or a `chat_template` among
    /// its `chat_template_kwargs`) and set the special-token variables through
    /// `chat_template_kwargs`. Off by default, as in vLLM (`--trust-request-chat-template`).
    public var trustRequestChatTemplate: Bool
    /// The wall-clock time a request's template renders may take in all.
    public var renderTimeout: Duration
    /// The steps, depth and size budget of each render.
    public var renderLimits: RenderLimits

    public init(trustRequestChatTemplate: Bool = false, renderTimeout: Duration = .seconds(5), renderLimits: RenderLimits = RenderLimits()) {
        self.trustRequestChatTemplate = trustRequestChatTemplate
        self.renderTimeout = renderTimeout
        self.renderLimits = renderLimits
    }

    /// The budget of one request's renders, starting now, stopped early by `cancellation`.
    func limits(cancelledBy cancellation: RenderCancellation) -> RenderLimits {
        var limits = renderLimits.expiring(after: renderTimeout)
        limits.cancellation = cancellation
        return limits
    }

    /// Refuses `chat_template` (in the body or among the kwargs) unless requests are trusted
    /// with templates.
    func checkChatTemplate(_ fields: RequestFields) throws {
        guard !trustRequestChatTemplate else { return }
        if fields.has("chat_template") || fields.templateKwargNames.contains("chat_template") {
            throw ServiceError(
                status: 403,
                "this server does not render a chat template sent in a request; start it with --trust-request-chat-template to allow that (the template then runs in the sandbox, under --render-timeout)"
            )
        }
    }

    /// Refuses `chat_template_kwargs` that would set a variable the renderer sets itself
    /// (`messages`, `tools`, ...), and, unless requests are trusted with templates, one that
    /// would override a special-token variable of the model (`bos_token`, ...).
    func checkTemplateVariables(_ names: [String], specialTokenVariables: Set<String>) throws {
        let reserved = names.filter(ChatRenderer.reservedVariables.contains).sorted()
        if !reserved.isEmpty {
            throw ServiceError.badRequest(
                "'chat_template_kwargs' may not set \(reserved.joined(separator: ", ")): the server sets \(reserved.count == 1 ? "it" : "them") from the request's own fields"
            )
        }
        guard !trustRequestChatTemplate else { return }
        let special = names.filter(specialTokenVariables.contains).sorted()
        if !special.isEmpty {
            throw ServiceError(
                status: 403,
                "'chat_template_kwargs' may not override \(special.joined(separator: ", ")), which the model directory sets; start the server with --trust-request-chat-template to allow that"
            )
        }
    }
}
