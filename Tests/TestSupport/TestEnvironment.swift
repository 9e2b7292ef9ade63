import Foundation
import Testing

/// Where the tests find what lies outside the package, and traits that skip a suite with one
/// clear line when it is missing: `../shared` (oracle, corpora, templates, model directories)
/// beside the checkout, the oracle's venv, and the test vocabulary.
public enum TestEnvironment {
    /// The checkout root (tests run from the source tree, so `#filePath` is right here).
    public static let checkoutRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the checkout, or `KIMI_TOK_SHARED_DIR`.
    public static let sharedDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["KIMI_TOK_SHARED_DIR"] { return URL(fileURLWithPath: path) }
        return checkoutRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// The oracle's Python (`KIMI_TOK_ORACLE_PYTHON`, else the venv `scripts/setup --oracle` makes).
    public static let oraclePython: String =
        ProcessInfo.processInfo.environment["KIMI_TOK_ORACLE_PYTHON"]
        ?? checkoutRoot.appendingPathComponent(".venv-oracle/bin/python").path

    private static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// `../shared` is there with its model directories, corpora and templates.
    public static let hasShared =
        exists(sharedDirectory.appendingPathComponent("vocab/kimi-k2/tiktoken.model"))
        && exists(sharedDirectory.appendingPathComponent("corpus")) && exists(sharedDirectory.appendingPathComponent("templates"))

    /// The oracle and its venv are there.
    public static let hasOracle =
        exists(sharedDirectory.appendingPathComponent("oracle/kimi_oracle.py"))
        && FileManager.default.isExecutableFile(atPath: oraclePython)

    /// The Kimi K2 vocabulary the algorithm tests run on: `Vocab/kimi-k2` (filled by
    /// `scripts/setup`), else the shared model directory; `nil` when neither is there.
    public static let vocabularyDirectory: String? = {
        let own = checkoutRoot.appendingPathComponent("Vocab/kimi-k2")
        if exists(own.appendingPathComponent("tiktoken.model")) { return own.path }
        let shared = sharedDirectory.appendingPathComponent("vocab/kimi-k2")
        return exists(shared.appendingPathComponent("tiktoken.model")) ? shared.path : nil
    }()
}

extension Trait where Self == ConditionTrait {
    /// Skips unless the oracle (in `../shared/oracle`) and its venv are there.
    public static var needsOracle: Self {
        .enabled(if: TestEnvironment.hasOracle, "skipped: needs ../shared/oracle beside the checkout and its venv (scripts/setup --oracle)")
    }

    /// Skips unless `../shared` (model directories, corpora, templates) is there.
    public static var needsShared: Self {
        .enabled(if: TestEnvironment.hasShared, "skipped: needs ../shared beside the checkout (corpora, templates, model directories)")
    }

    /// Skips unless the Kimi K2 vocabulary is there (Vocab/kimi-k2 or ../shared).
    public static var needsVocabulary: Self {
        .enabled(if: TestEnvironment.vocabularyDirectory != nil, "skipped: needs the Kimi K2 vocabulary in Vocab/kimi-k2 (scripts/setup) or ../shared")
    }
}
