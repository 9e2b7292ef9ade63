import Dispatch
import Foundation
import Logging

/// SIGTERM and SIGINT for the server: the first starts a graceful shutdown and, after the grace
/// period, cancels the renders still running; a second ends the process at once (status 128
/// plus the signal's number, as a shell reports a process killed by it).
final class ShutdownSignals: @unchecked Sendable {
    private let grace: Duration
    private let logger: Logger
    private let stopAccepting: @Sendable () async -> Void
    private let cancelRenders: @Sendable (String) -> Void
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "kimi-tok.signals")
    private var received = 0

    init(
        grace: Duration, logger: Logger, stopAccepting: @escaping @Sendable () async -> Void,
        cancelRenders: @escaping @Sendable (String) -> Void
    ) {
        self.grace = grace
        self.logger = logger
        self.stopAccepting = stopAccepting
        self.cancelRenders = cancelRenders
    }

    func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in received(number) }
            source.resume()
            sources.append(source)
        }
    }

    func remove() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }

    /// Runs on `queue`, one signal at a time.
    private func received(_ number: Int32) {
        received += 1
        let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
        guard received == 1 else {
            FileHandle.standardError.write(Data("kimi-tok serve: \(name) again; exiting now\n".utf8))
            exit(128 + number)
        }
        logger.notice("\(name): no new connections; requests in flight may finish for \(grace)")
        let stopAccepting = stopAccepting
        let cancelRenders = cancelRenders
        let grace = grace
        Task { await stopAccepting() }
        Task {
            try? await Task.sleep(for: grace)
            cancelRenders("the server is shutting down")
        }
    }
}
