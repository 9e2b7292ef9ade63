import Foundation

/// Where a model's tokenizer files are: `tiktoken.model` and `tokenizer_config.json`.
///
/// Found in this order: an explicit path (`--model-dir`), the `KIMI_TOK_MODEL_DIR` environment
/// variable, then the user data directory (`$XDG_DATA_HOME/kimi-tok/models/kimi-k2`, else
/// `~/.local/share/kimi-tok/models/kimi-k2`), which `scripts/setup` fills. Nothing is looked up
/// relative to the source tree, so an installed binary behaves the same wherever it is copied.
/// A path the user gave that is missing is an error; it is never replaced by the next one.
public struct ModelDirectory: Sendable, Equatable {
    /// Where the path came from.
    public enum Source: String, Sendable {
        case option = "--model-dir"
        case environment = "KIMI_TOK_MODEL_DIR"
        case userData = "the user data directory"
    }

    /// The directory.
    public let path: String
    /// How it was chosen.
    public let source: Source

    /// The environment variable consulted after the explicit option.
    public static let environmentVariable = "KIMI_TOK_MODEL_DIR"
    /// The model a bare `kimi-tok` uses, by its folder name under the user data directory.
    public static let defaultModelName = "kimi-k2"

    /// `kimi-tok/models` under `$XDG_DATA_HOME`, else under `~/.local/share`.
    public static func userModelsPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = (home as NSString).appendingPathComponent(".local/share")
        }
        return (base as NSString).appendingPathComponent("kimi-tok/models")
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
            let path = (userModelsPath(environment: environment) as NSString).appendingPathComponent(defaultModelName)
            chosen = ModelDirectory(path: path, source: .userData)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: chosen.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            if chosen.source == .userData {
                throw .directoryMissing(
                    path: chosen.path,
                    source:
                        "\(chosen.source.rawValue), which is empty; fill it with scripts/setup from a kimi-tok checkout, or copy tiktoken.model and tokenizer_config.json of Kimi K2 there, or pass --model-dir or set \(environmentVariable)"
                )
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
