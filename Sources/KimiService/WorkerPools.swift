import NIOPosix

/// The threads requests are computed on: the ordinary pool, and the sandbox pool for requests
/// that bring their own template, so that however many hostile templates arrive, the ordinary
/// requests keep their threads.
struct WorkerPools: Sendable {
    let ordinary: NIOThreadPool
    let sandbox: NIOThreadPool

    func start() {
        ordinary.start()
        sandbox.start()
    }

    func shutdown() async throws {
        try await ordinary.shutdownGracefully()
        try await sandbox.shutdownGracefully()
    }
}
