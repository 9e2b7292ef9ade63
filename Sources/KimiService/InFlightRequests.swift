import KimiChatTemplate
import Synchronization

/// The cancellation flags of the requests being answered, so a server shutting down can stop
/// the renders still running once its grace period is over.
final class InFlightRequests: Sendable {
    private let requests = Mutex<(next: Int, flags: [Int: RenderCancellation], closed: String?)>((0, [:], nil))

    /// Registers a request's flag for as long as `body` runs; a request that starts after
    /// ``cancelAll(_:)`` is cancelled at once.
    func tracking<T>(_ cancellation: RenderCancellation, _ body: () async throws -> T) async rethrows -> T {
        let key: Int = requests.withLock { state in
            if let reason = state.closed { cancellation.cancel(reason) }
            state.next += 1
            state.flags[state.next] = cancellation
            return state.next
        }
        defer { _ = requests.withLock { $0.flags.removeValue(forKey: key) } }
        return try await body()
    }

    /// Cancels every request in flight and every one that starts later.
    func cancelAll(_ reason: String) {
        let flags = requests.withLock { state in
            state.closed = reason
            return Array(state.flags.values)
        }
        for flag in flags { flag.cancel(reason) }
    }
}
