import Foundation
import KimiChatTemplate
import KimiInspector

/// Asks a running OpenAI-compatible server (vLLM's request and response shape) for the token
/// IDs of a prompt or a chat request: `POST {base}/tokenize`, over ``HTTPPost``.
public struct EngineTokenizeClient: Sendable {
    public let baseURL: URL
    public let model: String?
    public let timeout: TimeInterval

    public init(baseURL: URL, model: String? = nil, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.model = model
        self.timeout = timeout
    }

    /// The engine's IDs for a raw prompt (`{"prompt": ...}`).
    public func tokenize(prompt: String) throws -> [Int] {
        try post(["prompt": Value.string(prompt)])
    }

    /// The engine's IDs for a chat request, rendered by the engine's own template;
    /// `templateVariables` go as `chat_template_kwargs`, so the engine renders with the same
    /// variables as the reference.
    public func tokenize(request: ChatRequest, addGenerationPrompt: Bool, templateVariables: [String: Value] = [:]) throws -> [Int] {
        var fields: [String: Value] = ["messages": .list(request.messages), "add_generation_prompt": .bool(addGenerationPrompt)]
        if let tools = request.tools { fields["tools"] = .list(tools) }
        if !templateVariables.isEmpty {
            fields["chat_template_kwargs"] = .dict(templateVariables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        return try post(fields)
    }

    private func post(_ fields: [String: Value]) throws -> [Int] {
        var body = fields
        if let model { body["model"] = .string(model) }
        let json = try Value.dict(body.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).compactJSON()
        let endpoint = baseURL.path.hasSuffix("/tokenize") ? baseURL : baseURL.appendingPathComponent("tokenize")
        let response = try HTTPPost(url: endpoint, timeout: timeout).send(Array(json.utf8))
        guard (200..<300).contains(response.status) else {
            throw KimiError(
                .engineUnavailable,
                "\(endpoint.absoluteString) answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do {
            return try EngineTokenIDs.parse(response.body)
        } catch {
            throw KimiError(.engineUnavailable, "\(endpoint.absoluteString) answered with no usable token IDs: \(error)")
        }
    }
}
