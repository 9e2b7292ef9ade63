import Foundation

/// A Python HTTP server of a test, on 127.0.0.1 at an ephemeral port. The script gets its
/// working directory as `sys.argv[1]` and must write the port it bound to `sys.argv[1]/port`.
final class LoopbackServer {
    let process = Process()
    let port: Int
    /// The server's working directory.
    let directory: URL

    init(script: String, directory: URL) throws {
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.path]
        try process.run()
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOf: directory.appendingPathComponent("port"), encoding: .utf8)).flatMap { Int($0) }
            if port == nil { Thread.sleep(forTimeInterval: 0.01) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the loopback server did not start"])
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child spawned from a dispatch thread inherits a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
