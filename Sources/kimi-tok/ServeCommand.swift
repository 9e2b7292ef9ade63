import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiService
import KimiTokenizer
import Logging

/// `kimi-tok serve`: the reference as an HTTP service, with the inspector page.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the reference over HTTP: vLLM-shaped /tokenize and /detokenize, kimi-tok's endpoints, and the inspector page at /.",
        discussion: """
            Requests pick a model by 'model' (its name: the directory's name, or NAME from --model-name); \
            without one, the first model answers. On SIGTERM or SIGINT it stops accepting connections, \
            lets requests in flight finish for --shutdown-grace, then cancels the renders still running; \
            a second signal exits at once. docs/service.md describes every endpoint and the template sandbox.
            """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0 picks a free one; the address is printed).") var port = 8088
    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp("A model directory to serve, named by its directory name (repeatable).", discussion: "Default: the default model directory."))
    var modelDirectories: [String] = []
    @Option(name: .customLong("model-name"), help: "A model directory to serve under a name of its own, as NAME=DIR (repeatable).")
    var namedModels: [String] = []
    @Option(help: "Event-loop threads, and as many worker threads for tokenizer work (default: one per core).") var threads: Int?
    @Option(name: .customLong("max-body"), help: "The largest request body, in bytes or with K, M or G (binary) after the number.")
    var maxBody = "8M"
    @Option(name: .customLong("max-model-len"), help: "max_model_len for /tokenize, when config.json has no max_position_embeddings.")
    var maxModelLength = 131_072
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Flag(help: "Refuse a vocabulary whose sha256 is not a known Kimi vocabulary.") var strict = false
    @Flag(
        name: .customLong("trust-request-chat-template"),
        help: ArgumentHelp(
            "Render a chat_template sent in a request (refused by default, as in vLLM).",
            discussion: "It runs in the sandbox, on threads of its own, under --render-timeout and the step, depth and size budget."))
    var trustRequestChatTemplate = false
    @Option(name: .customLong("render-timeout"), help: "Seconds a request's template renders may take in all.") var renderTimeout = 5.0
    @Option(name: .customLong("shutdown-grace"), help: "Seconds a shutdown waits for renders in flight before cancelling them.")
    var shutdownGrace = 10.0
    @Option(name: .customLong("render-steps"), help: "Evaluation steps each template render may take (loop iterations and items built count).")
    var renderSteps = RenderLimits().steps

    func validate() throws {
        if port < 0 || port > 65535 { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be from 1 to 256, not \(threads)") }
        if maxModelLength < 1 { throw ValidationError("--max-model-len must be 1 or more, not \(maxModelLength)") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical") }
        if !(renderTimeout > 0 && renderTimeout <= 3600) {
            throw ValidationError("--render-timeout must be more than 0 and at most 3600 seconds, not \(renderTimeout)")
        }
        if renderSteps < 1 { throw ValidationError("--render-steps must be 1 or more, not \(renderSteps)") }
        if !(shutdownGrace >= 0 && shutdownGrace <= 3600) { throw ValidationError("--shutdown-grace must be from 0 to 3600 seconds, not \(shutdownGrace)") }
        _ = try maxBodyBytes()
        _ = try namedDirectories()
    }

    /// The budget of each render: `--render-steps` over the defaults.
    var renderLimits: RenderLimits {
        var limits = RenderLimits()
        limits.steps = renderSteps
        return limits
    }

    /// `--max-body` in bytes.
    func maxBodyBytes() throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(maxBody)
        var unit = 1
        if let last = digits.last?.uppercased().first, let factor = units[last] {
            unit = factor
            digits = digits.dropLast()
        }
        guard let number = Int(digits), number > 0, number <= (1 << 32) / unit else {
            throw ValidationError("--max-body must be a positive size up to 4G, like 8388608, 512K or 8M, not '\(maxBody)'")
        }
        return number * unit
    }

    /// The models to load, as (name, directory), in the order given.
    func namedDirectories() throws -> [(name: String, directory: ModelDirectory)] {
        var models: [(name: String, directory: ModelDirectory)] = []
        for path in modelDirectories {
            let directory = try ModelDirectory.resolve(option: path)
            models.append((URL(fileURLWithPath: directory.path).standardizedFileURL.lastPathComponent, directory))
        }
        for entry in namedModels {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex, entry.index(after: equals) != entry.endIndex else {
                throw ValidationError("--model-name '\(entry)' is not NAME=DIR")
            }
            models.append((String(entry[..<equals]), try ModelDirectory.resolve(option: String(entry[entry.index(after: equals)...]))))
        }
        if models.isEmpty {
            let directory = try ModelDirectory.resolve(option: nil)
            models.append((URL(fileURLWithPath: directory.path).standardizedFileURL.lastPathComponent, directory))
        }
        return models
    }

    func run() throws {
        ServeSignals.unblockShutdownSignals()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var served: [ServedModel] = []
        for (name, directory) in try namedDirectories() {
            let model = try ServedModel(name: name, directory: directory, strict: strict, maxModelLength: maxModelLength)
            for warning in model.tokenizer.warnings { Output.standardError("kimi-tok: warning: \(name): \(warning)\n") }
            served.append(model)
        }
        let server = KimiServer(
            models: try ModelRegistry(served),
            configuration: KimiServer.Configuration(
                host: host, port: port, threads: threads ?? ProcessInfo.activeProcessorCountOrOne, maxBodyBytes: try maxBodyBytes(),
                policy: RequestPolicy(
                    trustRequestChatTemplate: trustRequestChatTemplate, renderTimeout: .milliseconds(Int(renderTimeout * 1000)),
                    renderLimits: renderLimits),
                shutdownGrace: .milliseconds(Int(shutdownGrace * 1000))),
            logger: Logger(label: "kimi-tok"))
        let summary = served.map { "\($0.name) (\($0.family.rawValue))" }.joined(separator: ", ")
        try ServeSignals.blockUntilDone {
            try await server.run { host, port in
                Output.standardOutput("kimi-tok serve: listening on http://\(host):\(port) with \(summary)\n")
            }
        }
        Output.standardOutput("kimi-tok serve: stopped\n")
    }
}

/// Running the async server from the synchronous command, and the signals it stops on.
enum ServeSignals {
    /// A process started from a thread that blocks SIGTERM/SIGINT inherits that mask; the server
    /// must see them to shut down gracefully.
    static func unblockShutdownSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }

    /// Runs `body` to its end on the concurrency pool while this thread waits.
    static func blockUntilDone(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await body() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }
}
