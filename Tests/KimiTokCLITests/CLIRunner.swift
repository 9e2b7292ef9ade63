import Foundation
import TestSupport

/// Runs the built `kimi-tok` executable, as a user would.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    static let checkoutRoot = TestEnvironment.checkoutRoot

    /// The Kimi K2 vocabulary the commands run on (Vocab/kimi-k2, else ../shared's).
    static let sharedVocabulary = TestEnvironment.vocabularyDirectory ?? "/nonexistent/vocabulary"

    /// The executable next to the test bundle (the same build configuration), or `KIMI_TOK_BIN`.
    static let executable: String = {
        if let path = ProcessInfo.processInfo.environment["KIMI_TOK_BIN"] { return path }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("kimi-tok").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        for configuration in ["release", "debug"] {
            let path = checkoutRoot.appendingPathComponent(".build/\(configuration)/kimi-tok").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return besideTests
    }()

    /// Runs `kimi-tok arguments` with `stdin`, the shared vocabulary unless the environment
    /// or arguments say otherwise.
    static func run(
        _ arguments: [String], stdin: Data = Data(), executable: String = executable,
        environment: [String: String] = [:]
    ) throws -> Result {
        let process = makeProcess(arguments, executable: executable, environment: environment)
        // Files rather than pipes: no reader threads, no deadlock on large outputs.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try stdin.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer { try? input.close(); try? output.close(); try? error.close() }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: outputURL),
            stderr: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    /// Runs `kimi-tok arguments` with no input and reports its peak resident set (VmHWM),
    /// sampled from /proc every 10 ms while it runs.
    static func runMeasuringPeakMemory(_ arguments: [String]) throws -> (result: Result, peakKilobytes: Int) {
        let process = makeProcess(arguments, executable: executable, environment: [:])
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var peak = 0
        while process.isRunning {
            let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                peak = max(peak, Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0)
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (Result(status: process.terminationStatus, stdout: try Data(contentsOf: outputURL), stderr: stderr), peak)
    }

    /// The vocabulary cache the tests' processes share, inside the build directory.
    static let vocabularyCache = checkoutRoot.appendingPathComponent(".build/test-vocabulary-cache").path

    /// `kimi-tok arguments` with the shared vocabulary, the tests' vocabulary cache and no
    /// colour, unless `environment` says otherwise (an empty value removes a variable).
    private static func makeProcess(_ arguments: [String], executable: String, environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KIMI_TOK_MODEL_DIR"] = sharedVocabulary
        env["KIMI_TOK_CACHE_DIR"] = vocabularyCache
        env["NO_COLOR"] = nil
        for (key, value) in environment { env[key] = value.isEmpty ? nil : value }
        process.environment = env
        return process
    }

    /// A fresh temporary directory, removed when the test process exits.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TemporaryDirectories.shared.remember(url)
        return url
    }
}

/// The directories ``CLI/temporaryDirectory()`` made, removed at exit: tests hand them to the
/// processes they start and keep files in them until their last expectation, so no narrower
/// scope owns them.
final class TemporaryDirectories: @unchecked Sendable {
    static let shared: TemporaryDirectories = {
        atexit { TemporaryDirectories.shared.removeAll() }
        return TemporaryDirectories()
    }()

    private let lock = NSLock()
    private var urls: [URL] = []

    func remember(_ url: URL) {
        lock.withLock { urls.append(url) }
    }

    func removeAll() {
        for url in lock.withLock({ urls }) { try? FileManager.default.removeItem(at: url) }
    }
}
