import Foundation

/// A long-lived child process that answers one JSON line per request line, in order.
/// Requests are written from another thread while answers are read, so large batches cannot
/// deadlock on full pipes. Calls are serialized.
final class JSONLinesProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []
    private let lock = NSLock()
    let name: String

    init(name: String, executable: String, arguments: [String]) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Sends every request and returns the answers in the same order.
    func batch(_ requests: [[String: Any]]) throws -> [[String: Any]] {
        try batch(lines: requests.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) })
    }

    /// Sends requests already written as JSON lines.
    func batch(lines requests: [String]) throws -> [[String: Any]] {
        lock.lock()
        defer { lock.unlock() }
        var payload = Data()
        for request in requests {
            payload.append(contentsOf: request.utf8)
            payload.append(0x0A)
        }
        let writer = input.fileHandleForWriting
        let bytes = payload
        let thread = Thread { writer.write(bytes) }
        thread.start()
        var answers: [[String: Any]] = []
        answers.reserveCapacity(requests.count)
        while answers.count < requests.count {
            // swift-corelibs-foundation's JSON reader drops a U+FEFF that follows an escape or
            // starts a string; the escape keeps it.
            let line = Self.escapingByteOrderMarks(try nextLine())
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw OracleFailure(message: "\(name) answered something that is not a JSON object")
            }
            answers.append(object)
        }
        return answers
    }

    private static func escapingByteOrderMarks(_ line: [UInt8]) -> [UInt8] {
        guard line.count >= 3 else { return line }
        var result: [UInt8] = []
        result.reserveCapacity(line.count)
        var index = 0
        while index < line.count {
            if index + 2 < line.count, line[index] == 0xEF, line[index + 1] == 0xBB, line[index + 2] == 0xBF {
                result.append(contentsOf: Array("\\ufeff".utf8))
                index += 3
            } else {
                result.append(line[index])
                index += 1
            }
        }
        return result
    }

    private func nextLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw OracleFailure(message: "\(name) exited before answering") }
            buffer.append(contentsOf: chunk)
        }
    }
}

struct OracleFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
