import Foundation
import KimiTokenizer
import Testing

@Suite("Model directory resolution")
struct ModelDirectoryTests {
    let existing = FileManager.default.temporaryDirectory.path

    @Test func optionComesFirst() throws {
        let directory = try ModelDirectory.resolve(option: existing, environment: ["KIMI_TOK_MODEL_DIR": "/nonexistent"])
        #expect(directory == ModelDirectory(path: existing, source: .option))
    }

    @Test func environmentComesSecond() throws {
        let directory = try ModelDirectory.resolve(option: nil, environment: ["KIMI_TOK_MODEL_DIR": existing])
        #expect(directory.source == .environment)
    }

    @Test func userDataDirectoryComesLast() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-data-\(UUID().uuidString)")
        let models = data.appendingPathComponent("kimi-tok/models/kimi-k2")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let directory = try ModelDirectory.resolve(option: nil, environment: ["XDG_DATA_HOME": data.path])
        #expect(directory == ModelDirectory(path: models.path, source: .userData))
        #expect(ModelDirectory.userModelsPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/kimi-tok/models")
        #expect(
            ModelDirectory.userModelsPath(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "relative"])
                == "/home/u/.local/share/kimi-tok/models", "a relative XDG_DATA_HOME is ignored, as the spec says")
    }

    @Test func emptyUserDataDirectorySaysHowToFillIt() {
        do {
            _ = try ModelDirectory.resolve(option: nil, environment: ["XDG_DATA_HOME": "/nonexistent/data"])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("/nonexistent/data/kimi-tok/models/kimi-k2"))
            #expect("\(error)".contains("scripts/setup"))
        }
    }

    @Test func missingOptionIsAnErrorNotAFallback() {
        #expect(throws: VocabularyError.directoryMissing(path: "/nonexistent/kimi", source: "--model-dir")) {
            try ModelDirectory.resolve(option: "/nonexistent/kimi", environment: ["KIMI_TOK_MODEL_DIR": existing])
        }
    }

    @Test func missingEnvironmentPathIsAnErrorNotAFallback() {
        #expect(throws: VocabularyError.directoryMissing(path: "/nonexistent/env", source: "KIMI_TOK_MODEL_DIR")) {
            try ModelDirectory.resolve(option: nil, environment: ["KIMI_TOK_MODEL_DIR": "/nonexistent/env"])
        }
    }
}
