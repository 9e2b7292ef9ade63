import Foundation
import TestSupport
import Testing

/// `kimi-tok serve` against hostile templates and what issue 36 found: templates sent in
/// requests are refused unless trusted, and run in the sandbox when trusted; a hostile one in
/// flight does not slow the other requests; a client that goes away cancels its render; SIGTERM
/// cancels renders after the grace period and a second signal exits at once; each refusal has
/// its status.
@Suite("kimi-tok serve: the template sandbox", .serialized, .needsVocabulary)
struct ServiceSandboxTests {
    nonisolated(unsafe) static let user: [[String: Any]] = [["role": "user", "content": "hi"]]
    /// A loop that sorts a long list a thousand times: tens of seconds without a budget.
    static let slowTemplate = "{% for i in range(1000) %}{% set x = range(100000) | sort(reverse=true) %}{% endfor %}"

    func expectError(_ answer: ServiceProcess.Answer, _ status: Int, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
        #expect(answer.errorMessage?.contains(text) == true, "\(answer.text)", sourceLocation: sourceLocation)
    }

    @Test func requestTemplatesNeedTrust() throws {
        let service = try ServiceProcess(arguments: [])
        expectError(try service.post("/tokenize", json: ["messages": Self.user, "chat_template": "{{ 1 }}"]), 403, containing: "--trust-request-chat-template")
        expectError(
            try service.post("/v1/kimi/render", json: ["messages": Self.user, "chat_template": "{{ 1 }}"]), 403, containing: "--trust-request-chat-template")
        expectError(
            try service.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["chat_template": "{{ 1 }}"]]), 403,
            containing: "--trust-request-chat-template")
        expectError(
            try service.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["bos_token": "x"]]), 403,
            containing: "may not override bos_token")
        // Reserved names: the HTTP field is named, not a CLI option.
        let reserved = try service.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["messages": 1]])
        expectError(reserved, 400, containing: "'chat_template_kwargs' may not set messages")
        #expect(reserved.errorMessage?.contains("--variable") == false)
        // Other kwargs still work.
        #expect(try service.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["thinking": false]]).status == 200)

        let trusted = try ServiceProcess(arguments: ["--trust-request-chat-template"])
        let answer = try trusted.post("/tokenize", json: ["messages": Self.user, "chat_template": "{{ messages[0].content }}"])
        #expect((answer.json as? [String: Any])?["tokens"] as? [Int] == [9663])
        #expect(try trusted.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["bos_token": "x"]]).status == 200)
        expectError(
            try trusted.post("/tokenize", json: ["messages": Self.user, "chat_template_kwargs": ["tools": []]]), 400, containing: "may not set tools")
    }

    /// Every hostile template of the trial answers 422 naming its limit, and the server lives on.
    @Test func hostileTemplatesAnswer422() throws {
        let service = try ServiceProcess(arguments: ["--trust-request-chat-template", "--threads", "2"])
        let hostile: [(String, String)] = [
            ("{% set ns = namespace(l=[]) %}{% for i in range(50000) %}{% set ns.l = [ns.l] %}{% endfor %}", "nested deeper than 512 levels"),
            ("{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}", "evaluation steps"),
            ("{{ '%0999999999d' | format(1) }}", "format width"),
            ("{{ '{:>999999999}'.format('x') }}", "format width"),
            ("{% set s = 'x' * 1000000 %}{% set s = s.replace('x', 'xxxxxxxxxx') %}{{ s.replace('x', 'xxxxxxxxxx') | length }}", "replace would build"),
            ("{{ " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " }}", "deeper than 500 levels"),
        ]
        for (template, limit) in hostile {
            let answer = try service.post("/tokenize", json: ["messages": Self.user, "chat_template": template])
            expectError(answer, 422, containing: "limit exceeded")
            expectError(answer, 422, containing: limit)
        }
        #expect(service.process.isRunning)
        #expect((try service.post("/tokenize", json: ["prompt": "hello"]).json as? [String: Any])?["tokens"] as? [Int] == [22931])
    }

    /// Two clients send hostile templates without pause while 100 ordinary requests are made:
    /// each ordinary one answers within a second.
    @Test func hostileTemplatesDoNotSlowTheOthers() throws {
        let service = try ServiceProcess(arguments: ["--trust-request-chat-template", "--threads", "2"])
        let port = service.port
        let hostile = try JSONSerialization.data(withJSONObject: ["messages": Self.user, "chat_template": Self.slowTemplate])
        let done = Flag()
        let hostileAnswers = Counter()
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                while !done.isSet {
                    if let answer = try? ServiceProcess.post(port: port, "/tokenize", hostile), answer.status == 422 { hostileAnswers.add() }
                }
            }
        }
        Thread.sleep(forTimeInterval: 0.3)
        var slowest = Duration.zero
        for index in 0..<100 {
            let start = ContinuousClock.now
            let answer = try service.post("/tokenize", json: ["prompt": "hello \(index)"])
            slowest = max(slowest, ContinuousClock.now - start)
            #expect(answer.status == 200)
        }
        // The ordinary requests may all be answered before a hostile render reaches its limit:
        // the hostile clients go on until one of theirs is answered (or 30 s pass).
        let deadline = ContinuousClock.now + .seconds(30)
        while hostileAnswers.value == 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        done.set()
        group.wait()
        #expect(slowest < .seconds(1), "the slowest ordinary request took \(slowest)")
        #expect(hostileAnswers.value >= 1, "the hostile requests were answered 422")
    }

    /// A client that closes its connection cancels its render; the log shows it ended long
    /// before the template would have.
    @Test func aClientThatLeavesCancelsItsRender() throws {
        let service = try ServiceProcess(arguments: [
            "--trust-request-chat-template", "--render-timeout", "120", "--render-steps", "1000000000000",
        ])
        let body = try JSONSerialization.data(withJSONObject: ["messages": Self.user, "chat_template": Self.slowTemplate])
        do {
            let connection = try LoopbackConnection(port: service.port)
            try connection.send(Data("POST /tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            Thread.sleep(forTimeInterval: 0.5)
        }
        var logged = false
        for _ in 0..<100 where !logged {
            logged = service.log.contains("POST /tokenize 422")
            if !logged { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(logged, "the render was not cancelled within 10 s of the client leaving: \(service.log)")
    }

    /// SIGTERM: no new connections, the render in flight is cancelled after the grace period
    /// (its client gets 422), exit 0. A second signal exits at once.
    @Test func shutdownCancelsRendersAfterTheGracePeriod() throws {
        let arguments = ["--trust-request-chat-template", "--render-timeout", "120", "--render-steps", "1000000000000"]
        let service = try ServiceProcess(arguments: arguments + ["--shutdown-grace", "1"])
        let body = try JSONSerialization.data(withJSONObject: ["messages": Self.user, "chat_template": Self.slowTemplate])
        // The request is sent (and its render under way) before the signal, whatever the load.
        let connection = try LoopbackConnection(port: service.port)
        try connection.send(Data("POST /tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        Thread.sleep(forTimeInterval: 0.5)
        let start = ContinuousClock.now
        kill(service.process.processIdentifier, SIGTERM)
        let got = try connection.receiveAnswer()
        service.process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        expectError(got, 422, containing: "render cancelled: the server is shutting down")
        #expect(service.process.terminationStatus == 0)
        #expect(elapsed < .seconds(30), "shutdown took \(elapsed)")

        let second = try ServiceProcess(arguments: arguments + ["--shutdown-grace", "60"])
        let inFlight = try LoopbackConnection(port: second.port)
        try inFlight.send(Data("POST /tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        // The client stays connected (its render in flight) until the server has exited.
        withExtendedLifetime(inFlight) {
            Thread.sleep(forTimeInterval: 0.5)
            kill(second.process.processIdentifier, SIGTERM)
            Thread.sleep(forTimeInterval: 0.3)
            kill(second.process.processIdentifier, SIGTERM)
            second.process.waitUntilExit()
        }
        #expect(second.process.terminationStatus == 128 + SIGTERM)
        #expect(second.log.contains("SIGTERM again; exiting now"))
    }

    @Test func httpDetails() throws {
        let service = try ServiceProcess(arguments: [])
        let get = try service.get("/tokenize")
        expectError(get, 405, containing: "/tokenize takes POST")
        #expect(get.headers.contains { $0.lowercased() == "allow: post" }, "\(get.headers)")
        expectError(try service.post("/tokenize", Data(#"{"prompt": NaN}"#.utf8)), 400, containing: "NaN is not a JSON number")
        expectError(try service.post("/tokenize", Data(#"{"prompt": -Infinity}"#.utf8)), 400, containing: "not a JSON number")
        expectError(try service.post("/v1/kimi/check", json: ["ids": [Int]()]), 400, containing: "no token IDs in input")
        let taken = try CLI.run(["serve", "--port", String(service.port)])
        #expect(taken.status == 2)
        #expect(taken.stderr.contains("port \(service.port) on 127.0.0.1 is in use"), "\(taken.stderr)")
        #expect(taken.stderr.contains("--port") && !taken.stderr.contains("errno"))
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
