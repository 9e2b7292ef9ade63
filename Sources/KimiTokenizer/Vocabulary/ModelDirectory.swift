import Foundation

/// Where a model's tokenizer files are: `tiktoken.model` and `tokenizer_config.json`.
///
/// Found in this order: an explicit path (`--model-dir`), the `KIMI_TOK_MODEL_DIR` environment
/// variable, then `Vocab/kimi-k2/` in the kimi-tok checkout (filled by `scripts/setup`).
/// A path the user gave that is missing is an error; it is never replaced by the next one.
public struct ModelDirectory: Sendable, Equatable {
    /// Where the path came from.
    public enum Source: String, Sendable {
        case option = "--model-dir"
        case environment = "KIMI_TOK_MODEL_DIR"
        case checkout = "the checkout's Vocab/kimi-k2"
    }

    /// The directory.
    public let path: String
    /// How it was chosen.
    public let source: Source

    /// The environment variable consulted after the explicit option.
    public static let environmentVariable = "KIMI_TOK_MODEL_DIR"

    /// `Vocab/kimi-k2` in the checkout this library was built from.
    public static var checkoutPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // Vocabulary
            .deletingLastPathComponent() // KimiTokenizer
            .deletingLastPathComponent() // Sources
            .deletingLastPathComponent() // checkout root
            .appendingPathComponent("Vocab/kimi-k2").path
    }

    /// Chooses the model directory.
    public static func resolve(
        option: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VocabularyError) -> ModelDirectory {
        let chosen: ModelDirectory
        if let option {
            chosen = ModelDirectory(path: option, source: .option)
        } else if let value = environment[environmentVariable], !value.isEmpty {
            chosen = ModelDirectory(path: value, source: .environment)
        } else {
            chosen = ModelDirectory(path: checkoutPath, source: .checkout)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: chosen.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            if chosen.source == .checkout {
                throw .directoryMissing(path: chosen.path, source: "\(chosen.source.rawValue); run scripts/setup, pass --model-dir or set \(environmentVariable)")
            }
            throw .directoryMissing(path: chosen.path, source: chosen.source.rawValue)
        }
        return chosen
    }

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// The vocabulary file.
    public var tiktokenModelPath: String { (path as NSString).appendingPathComponent("tiktoken.model") }
    /// The tokenizer configuration.
    public var tokenizerConfigPath: String { (path as NSString).appendingPathComponent("tokenizer_config.json") }
}
