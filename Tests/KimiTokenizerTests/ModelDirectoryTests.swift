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

    @Test func checkoutComesLast() throws {
        let directory = try? ModelDirectory.resolve(option: nil, environment: [:])
        #expect(ModelDirectory.checkoutPath.hasSuffix("Vocab/kimi-k2"))
        if let directory { #expect(directory.source == .checkout) }
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
