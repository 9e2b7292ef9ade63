import Foundation
import TestSupport
import Testing

/// `scripts/setup` downloading the vocabulary, against a local HTTP server on loopback that
/// serves the shared files in Hugging Face's URL layout.
@Suite("scripts/setup vocabulary download", .serialized, .needsVocabulary)
struct SetupScriptTests {
    static let revision = "fd1984e2b7a3350dbf7305fe73a4ede25c14de50"
    static let files = ["tiktoken.model", "tokenizer_config.json", "config.json"]

    /// Python's http.server over `directory`.
    static let fileServer = """
        import functools, http.server, os, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        handler.func.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        open(os.path.join(sys.argv[1], "port"), "w").write(str(server.server_address[1]))
        server.serve_forever()
        """

    /// Serves the shared vocabulary files, with `tiktoken.model` replaced by `model` if given.
    func serve(model: Data? = nil, omit: String? = nil) throws -> LoopbackServer {
        let root = try CLI.temporaryDirectory()
        let directory = root.appendingPathComponent("moonshotai/Kimi-K2-Instruct/resolve/\(Self.revision)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in Self.files where file != omit {
            let source = URL(fileURLWithPath: CLI.sharedVocabulary).appendingPathComponent(file)
            let data = file == "tiktoken.model" ? try model ?? Data(contentsOf: source) : try Data(contentsOf: source)
            try data.write(to: directory.appendingPathComponent(file))
        }
        return try LoopbackServer(script: Self.fileServer, directory: root)
    }

    func runSetup(server: LoopbackServer, target: URL, dataDirectory: URL? = nil) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = CLI.checkoutRoot.appendingPathComponent("scripts/setup")
        process.arguments = ["--vocab-only"]
        var environment = ProcessInfo.processInfo.environment
        environment["KIMI_TOK_VOCAB_DIR"] = target.path
        environment["KIMI_TOK_DATA_DIR"] = try (dataDirectory ?? CLI.temporaryDirectory()).path
        environment["KIMI_TOK_SHARED_DIR"] = "/nonexistent/shared"
        environment["KIMI_TOK_HF_BASE_URL"] = "http://127.0.0.1:\(server.port)"
        process.environment = environment
        let errorURL = try CLI.temporaryDirectory().appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let error = try FileHandle(forWritingTo: errorURL)
        defer { try? error.close() }
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    @Test func downloadsVerifiesAndInstalls() throws {
        let server = try serve()
        let target = try CLI.temporaryDirectory().appendingPathComponent("Vocab/kimi-k2")
        let dataDirectory = try CLI.temporaryDirectory()
        let result = try runSetup(server: server, target: target, dataDirectory: dataDirectory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("downloading"))
        let installed = dataDirectory.appendingPathComponent("models/kimi-k2")
        for file in Self.files {
            #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent(file).path))
            #expect(FileManager.default.fileExists(atPath: installed.appendingPathComponent(file).path))
        }
        #expect(
            !FileManager.default.fileExists(atPath: target.appendingPathComponent("tokenization_kimi.py").path),
            "setup neither copies nor downloads tokenization_kimi.py")
        let encoded = try CLI.run(["encode", "--strict", "--model-dir", target.path, "Hello <|im_end|>"])
        #expect(encoded.output == "19180 220 163586\n")
        // A second run finds everything in place and does nothing.
        let again = try runSetup(server: server, target: target, dataDirectory: dataDirectory)
        #expect(again.status == 0 && !again.stderr.contains("downloading"))
    }

    @Test func corruptDownloadIsRejectedAndNothingIsInstalled() throws {
        var model = try Data(contentsOf: URL(fileURLWithPath: CLI.sharedVocabulary).appendingPathComponent("tiktoken.model"))
        model[model.count / 2] ^= 0x01
        let server = try serve(model: model)
        let parent = try CLI.temporaryDirectory()
        let target = parent.appendingPathComponent("kimi-k2")
        let result = try runSetup(server: server, target: target)
        #expect(result.status == 2)
        #expect(result.stderr.contains("sha256") && result.stderr.contains("nothing was installed"))
        #expect(!FileManager.default.fileExists(atPath: target.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty, "no staging left behind")
    }

    @Test func missingFileOnTheServerIsAnError() throws {
        let server = try serve(omit: "tokenizer_config.json")
        let target = try CLI.temporaryDirectory().appendingPathComponent("kimi-k2")
        let result = try runSetup(server: server, target: target)
        #expect(result.status == 2)
        #expect(result.stderr.contains("tokenizer_config.json"))
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}
