import Foundation
import TestSupport
import Testing

/// `kimi-tok serve` under bad requests, many clients and shutdown: every error is a JSON answer
/// with its status, no request takes the server down, concurrent answers equal sequential ones,
/// and SIGTERM lets the requests in flight finish.
@Suite("kimi-tok serve: errors, concurrency, shutdown", .serialized, .needsVocabulary)
struct ServiceRobustnessTests {
    static let k2 = ServiceProcess.sharedModel("kimi-k2")

    func expectError(_ answer: ServiceProcess.Answer, _ status: Int, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
        let error = (answer.json as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? Int == status, sourceLocation: sourceLocation)
        #expect(answer.errorMessage?.contains(text) == true, "\(answer.text)", sourceLocation: sourceLocation)
    }

    @Test func everyErrorIsJSONWithItsStatus() throws {
        let service = try ServiceProcess(arguments: [
            "--model-dir", Self.k2, "--model-name", "k3=\(ServiceProcess.sharedModel("kimi-k3"))", "--max-body", "64K",
            "--trust-request-chat-template",
        ])
        let user: [[String: Any]] = [["role": "user", "content": "hi"]]
        // 400: malformed JSON and wrong shapes.
        expectError(try service.post("/tokenize", Data("{\"prompt\": ".utf8)), 400, containing: "line 1, column")
        expectError(try service.post("/tokenize", Data("[1, 2]".utf8)), 400, containing: "not a JSON object")
        expectError(try service.post("/tokenize", json: ["prompt": 12]), 400, containing: "'prompt' is int")
        expectError(try service.post("/tokenize", json: ["messages": "hi"]), 400, containing: "'messages' is str")
        expectError(try service.post("/tokenize", json: ["messages": [["content": "no role"]]]), 400, containing: "message 0")
        expectError(try service.post("/tokenize", json: [:] as [String: Any]), 400, containing: "give 'prompt'")
        expectError(try service.post("/detokenize", json: ["tokens": [1, "two"]]), 400, containing: "tokens[1] is str")
        expectError(try service.post("/detokenize", json: ["tokens": [999_999_999]]), 400, containing: "not in the vocabulary")
        expectError(try service.post("/v1/kimi/check", json: ["prompt": "a", "ids": [1]]), 400, containing: "not 'prompt' and 'ids'")
        expectError(
            try service.post("/v1/kimi/render", json: ["messages": user, "engine": "tensorrt"]), 400, containing: "expected one of reference, vllm, sglang")
        expectError(try service.post("/v1/kimi/compare", json: ["prompt": "a"]), 400, containing: "give 'engine'")
        expectError(try service.post("/v1/kimi/tool-calls", json: ["ids": "1 2", "choice": 3]), 400, containing: "choice")
        // 404: an unknown model, an unknown endpoint.
        expectError(try service.post("/tokenize", json: ["model": "gpt-4", "prompt": "a"]), 404, containing: "'kimi-k2', 'k3'")
        expectError(try service.get("/v2/nothing"), 404, containing: "no endpoint GET /v2/nothing")
        // 413: a body over --max-body, declared or streamed.
        let big = Data(("{\"prompt\": \"" + String(repeating: "a", count: 70_000) + "\"}").utf8)
        expectError(try service.post("/tokenize", big), 413, containing: "at most 65536")
        var chunked = Data("POST /tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)
        for _ in 0..<8 { chunked += Data("2000\r\n".utf8) + Data(repeating: UInt8(ascii: " "), count: 0x2000) + Data("\r\n".utf8) }
        chunked += Data("1\r\n{\r\n0\r\n\r\n".utf8)
        expectError(try service.exchange(chunked), 413, containing: "over 65536")
        // 422: a template that does not parse (file:line:column), one that raises, K3 with a template.
        expectError(
            try service.post("/tokenize", json: ["messages": user, "chat_template": "line one\n{{ messages[0] | nope }}"]), 422, containing: "chat_template:2:")
        expectError(
            try service.post("/v1/kimi/render", json: ["messages": user, "chat_template": "{{ raise_exception('no tools here') }}"]), 422,
            containing: "no tools here")
        expectError(try service.post("/v1/kimi/render", json: ["model": "k3", "messages": user, "chat_template": "{{ 1 }}"]), 422, containing: "K3")
        // Still serving, and the right answer.
        #expect(try service.get("/health").status == 200)
        let answer = try service.post("/tokenize", json: ["prompt": "hello world"])
        #expect((answer.json as? [String: Any])?["tokens"] as? [Int] == [22931, 2695])
        #expect(service.process.isRunning)
    }

    /// Clients on 8 threads, 3 models, 5 endpoints: every answer equals the one a single client got.
    @Test(.needsShared) func concurrentClientsGetTheSequentialAnswers() throws {
        let models = ["kimi-k2", "kimi-k2.5", "kimi-k3"]
        let service = try ServiceProcess(arguments: models.flatMap { ["--model-dir", ServiceProcess.sharedModel($0)] } + ["--threads", "2"])
        let texts = try ServiceContractTests.texts().filter { $0.utf8.count < 20_000 }
        var requests: [(String, Data)] = []
        for (index, text) in texts.enumerated() {
            let model = models[index % models.count]
            let messages: [[String: Any]] = [["role": "system", "content": "S"], ["role": "user", "content": text]]
            requests.append(("/tokenize", try JSONSerialization.data(withJSONObject: ["model": model, "prompt": text])))
            requests.append(("/tokenize", try JSONSerialization.data(withJSONObject: ["model": model, "messages": messages, "return_token_strs": true])))
            requests.append(("/v1/kimi/check", try JSONSerialization.data(withJSONObject: ["model": model, "messages": messages])))
            requests.append(("/v1/kimi/render", try JSONSerialization.data(withJSONObject: ["model": model, "messages": messages])))
            requests.append(("/detokenize", try JSONSerialization.data(withJSONObject: ["model": model, "tokens": Array(index * 97..<index * 97 + 50)])))
        }
        let sequential = try requests.map { try service.post($0.0, $0.1) }
        let port = service.port
        let all = requests
        #expect(sequential.allSatisfy { $0.status == 200 })
        let concurrent = ConcurrentAnswers(count: requests.count)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in stride(from: worker, to: all.count, by: 8) {
                concurrent.set(index, Result { try ServiceProcess.post(port: port, all[index].0, all[index].1) })
            }
        }
        for index in requests.indices {
            let answer = try concurrent.get(index).get()
            #expect(answer.status == sequential[index].status && answer.body == sequential[index].body, "request \(index) \(requests[index].0)")
        }
        #expect(requests.count > 300)
    }

    /// SIGTERM with a request half sent: the server stops accepting, the request finishes with
    /// its whole answer, and the process exits 0.
    @Test func sigtermLetsTheRequestInFlightFinish() throws {
        let service = try ServiceProcess(arguments: ["--model-dir", Self.k2])
        let body = Data(#"{"prompt": "hello world"}"#.utf8)
        let connection = try LoopbackConnection(port: service.port)
        try connection.send(Data("POST /tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8))
        try connection.send(body.prefix(10))
        // Time for the server to read the head, so the request is in flight when SIGTERM comes.
        Thread.sleep(forTimeInterval: 1)
        kill(service.process.processIdentifier, SIGTERM)
        var refused = false
        for _ in 0..<100 where !refused {
            refused = (try? LoopbackConnection(port: service.port)) == nil
            if !refused { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(refused, "the server still accepts connections 10 s after SIGTERM")
        try connection.send(body.dropFirst(10))
        let answer = try connection.receiveAnswer()
        #expect(answer.status == 200)
        #expect((answer.json as? [String: Any])?["tokens"] as? [Int] == [22931, 2695])
        service.process.waitUntilExit()
        #expect(service.process.terminationStatus == 0)
        #expect(service.remainingOutput().contains("kimi-tok serve: stopped"))
        #expect(service.log.contains("POST /tokenize 200"))
    }

    @Test func startupErrorsExitTwoWithAMessage() throws {
        let missing = try CLI.run(["serve", "--port", "0", "--model-dir", "/nonexistent/model"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/model"))
        let badName = try CLI.run(["serve", "--model-name", "=x"])
        #expect(badName.status == 2 && badName.stderr.contains("NAME=DIR"))
        let badSize = try CLI.run(["serve", "--max-body", "lots"])
        #expect(badSize.status == 2 && badSize.stderr.contains("--max-body"))
        let twice = try CLI.run(["serve", "--port", "0", "--model-dir", Self.k2, "--model-name", "kimi-k2=\(Self.k2)"])
        #expect(twice.status == 2 && twice.stderr.contains("two models are named 'kimi-k2'"))
        let service = try ServiceProcess(arguments: ["--model-dir", Self.k2])
        let taken = try CLI.run(["serve", "--port", String(service.port), "--model-dir", Self.k2])
        #expect(taken.status == 2)
        #expect(!taken.stderr.isEmpty)
    }
}

/// Answers written by many threads, read after they finish.
final class ConcurrentAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Result<ServiceProcess.Answer, any Error>?]

    init(count: Int) { answers = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ answer: Result<ServiceProcess.Answer, any Error>) { lock.withLock { answers[index] = answer } }

    func get(_ index: Int) throws -> Result<ServiceProcess.Answer, any Error> {
        try #require(lock.withLock { answers[index] })
    }
}
