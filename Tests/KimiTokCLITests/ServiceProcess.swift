import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A `kimi-tok serve` of a test, on 127.0.0.1 at a port the system picks, with the model
/// directories given; stopped (SIGKILL) when released unless a test stopped it itself.
final class ServiceProcess {
    let process = Process()
    let port: Int
    private let output = Pipe()
    private let errors: URL

    /// The model directories by name: kimi-k2, kimi-k2.5, kimi-k3 (the shared ones when
    /// `../shared` is there, else those built from the golden fixtures).
    static func sharedModel(_ name: String) -> String {
        (try? GoldenFixtures.modelDirectory(name, shared: true)) ?? TestEnvironment.sharedDirectory.appendingPathComponent("vocab/\(name)").path
    }

    init(arguments: [String]) throws {
        errors = try CLI.temporaryDirectory().appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KIMI_TOK_MODEL_DIR"] = CLI.sharedVocabulary
        environment["KIMI_TOK_CACHE_DIR"] = CLI.vocabularyCache
        process.environment = environment
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while !seen.contains("\n"), Date() < deadline, process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        guard let range = seen.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(seen[range].split(separator: ":").last ?? "")
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "kimi-tok serve did not start: \(seen) \(Self.read(errors))"])
        }
        self.port = port
    }

    /// What the server printed on stdout after its first line, once it has exited.
    func remainingOutput() -> String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The server's log so far.
    var log: String { Self.read(errors) }

    private static func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    struct Answer: Sendable {
        let status: Int
        let body: Data
        /// The head's lines after the status line.
        var headers: [String] = []
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body parsed as JSON.
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        /// The error message of an error answer.
        var errorMessage: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String }
    }

    /// `POST path` with `body`.
    func post(_ path: String, _ body: Data) throws -> Answer {
        try Self.post(port: port, path, body)
    }

    /// `POST path` with `body` to the server on `port`.
    static func post(port: Int, _ path: String, _ body: Data) throws -> Answer {
        var request = Data("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".utf8)
        request += Data("Content-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        let connection = try LoopbackConnection(port: port)
        try connection.send(request + body)
        return try connection.receiveAnswer()
    }

    /// `POST path` with `json` (any JSONSerialization value).
    func post(_ path: String, json: Any) throws -> Answer {
        try post(path, try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed, .sortedKeys]))
    }

    /// `GET path`.
    func get(_ path: String) throws -> Answer {
        try exchange(Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
    }

    /// Sends `request` whole and reads the answer to the end of the connection.
    func exchange(_ request: Data) throws -> Answer {
        let connection = try LoopbackConnection(port: port)
        try connection.send(request)
        return try connection.receiveAnswer()
    }
}

/// One TCP connection to 127.0.0.1, with blocking sends and a receive that reads to the end.
final class LoopbackConnection {
    private let socket: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(socket) }

    func send(_ data: Data) throws {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, data.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// The status and body of the one answer on this connection (`Connection: close`).
    func receiveAnswer() throws -> ServiceProcess.Answer {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 { throw Failure(description: "recv: errno \(errno)") }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        guard let headerEnd = received.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "no complete HTTP answer (\(received.count) bytes)")
        }
        let head = String(decoding: received[..<headerEnd.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        guard let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw Failure(description: "no status in '\(statusLine)'")
        }
        var body = Data(received[headerEnd.upperBound...])
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? -1
            guard length == body.count else {
                throw Failure(description: "the body is \(body.count) bytes, Content-Length says \(length)")
            }
        }
        if head.lowercased().contains("transfer-encoding: chunked") { body = Self.dechunked(body) }
        return ServiceProcess.Answer(status: status, body: body, headers: head.split(separator: "\r\n").dropFirst().map(String.init))
    }

    private static func dechunked(_ data: Data) -> Data {
        var result = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)),
            let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16), size > 0
        {
            let start = lineEnd.upperBound
            result.append(rest[start..<start + size])
            rest = rest[(start + size + 2)...]
        }
        return result
    }
}
