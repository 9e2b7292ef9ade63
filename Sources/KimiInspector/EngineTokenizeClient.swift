import Foundation
import KimiChatTemplate

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Asks a running OpenAI-compatible server (vLLM's request and response shape) for the token
/// IDs of a prompt or a chat request: `POST {base}/tokenize`. Plain `http://` goes over a socket
/// that waits in `poll` (no busy waiting, a timeout that names the step); `https://` through
/// URLSession.
public struct EngineTokenizeClient: Sendable {
    public let baseURL: URL
    public let model: String?
    public let timeout: TimeInterval

    /// The server could not be reached or answered something unusable.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

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
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
        let (data, status) = try send(request)
        guard (200..<300).contains(status) else {
            throw Failure(description: "\(endpoint.absoluteString) answered HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        do {
            return try EngineTokenIDs.parse([UInt8](data))
        } catch {
            throw Failure(description: "\(endpoint.absoluteString) answered with no usable token IDs: \(error)")
        }
    }

    private func send(_ request: URLRequest) throws -> (Data, Int) {
        if let url = request.url, url.scheme == "http" {
            do {
                return try PlainHTTPClient(url: url, timeout: timeout).post(request.httpBody ?? Data())
            } catch let failure as PlainHTTPClient.Failure {
                throw Failure(description: failure.description)
            }
        }
        final class Box: @unchecked Sendable {
            var result: Result<(Data, Int), Error> = .failure(Failure(description: "no answer"))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(Failure(description: "cannot reach \(request.url?.absoluteString ?? ""): \(error.localizedDescription)"))
            } else {
                box.result = .success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.result.get()
    }
}
