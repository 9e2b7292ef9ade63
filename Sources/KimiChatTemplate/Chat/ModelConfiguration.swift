import Foundation
import KimiIO
import KimiTokenizer

/// What a model directory says about chat, read once: the family, the chat template(s) and the
/// special-token variables that transformers hands to every render.
///
/// `tokenizer_config.json` is read by ``TokenizerConfig``, the one reader of that file (errors
/// name line and column); the family comes from `config.json`'s `model_type` when that file
/// exists.
public struct ModelConfiguration: Sendable {
    /// The chat template a model directory ships.
    public enum ChatTemplates: Sendable {
        /// No template at all.
        case none
        /// One template text and where it came from.
        case single(text: String, origin: String)
        /// A named set (`chat_template` as a list of `{name, template}`), in file order.
        case named([(name: String, text: String)], origin: String)
    }

    public let directory: ModelDirectory
    public let family: ModelFamily
    public let templates: ChatTemplates
    /// `bos_token`, `eos_token`, ... and `additional_special_tokens` in transformers' order,
    /// with the tokenizer class's defaults where the file leaves them out.
    public let specialTokenVariables: [(name: String, value: Value)]

    /// An unreadable or malformed configuration file.
    /// Special-token attributes in transformers' order.
    static let specialAttributes = [
        "bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
        "cls_token", "mask_token", "additional_special_tokens",
    ]
    /// What Kimi's tokenizer class uses when the file names none.
    static let specialDefaults: [String: Value] = [
        "bos_token": .string("[BOS]"), "eos_token": .string("[EOS]"),
        "additional_special_tokens": .list(
            [
                "<|im_end|>", "<|im_user|>", "<|im_assistant|>", "<|start_header_id|>",
                "<|end_header_id|>", "[EOT]", "<|im_system|>", "<|im_middle|>",
            ].map(Value.string)),
    ]

    /// Reads the model directory's `tokenizer_config.json` and `config.json`.
    public init(directory: ModelDirectory) throws(KimiError) {
        let tokenizerConfig: TokenizerConfig
        do { tokenizerConfig = try TokenizerConfig(contentsOf: directory.tokenizerConfigPath) } catch {
            throw KimiError(.badInput, error.description)
        }
        try self.init(directory: directory, tokenizerConfig: tokenizerConfig)
    }

    /// The configuration of a model directory whose `tokenizer_config.json` is already read
    /// (``KimiTokenizer/config``), so that it is read once.
    public init(directory: ModelDirectory, tokenizerConfig: TokenizerConfig) throws(KimiError) {
        self.directory = directory
        let configPath = tokenizerConfig.path
        guard case let .dict(config) = Value(json: tokenizerConfig.fields) else {
            throw KimiError(.badInput, "\(configPath): the top level is not a JSON object")
        }
        let names = Array(tokenizerConfig.addedTokens.values)
        var modelType: String?
        let modelConfigPath = (directory.path as NSString).appendingPathComponent("config.json")
        if let modelConfig = try Self.readObject(modelConfigPath), case let .string(type)? = modelConfig["model_type"] {
            modelType = type
        }
        family = ModelFamily.detect(modelType: modelType, specialTokenNames: names)
        specialTokenVariables = Self.specialTokenVariables(config)
        templates = try Self.templates(config, configPath: configPath, directory: directory)
    }

    /// The variables as a dictionary.
    public var specialTokenVariableMap: [String: Value] {
        Dictionary(specialTokenVariables.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// A token as the file stores it: a string or an AddedToken object with `content`.
    private static func tokenText(_ value: Value) -> String? {
        switch value {
        case let .string(text): text
        case let .dict(box): if case let .string(text)? = box[.string("content")] { text } else { nil }
        default: nil
        }
    }

    private static func specialTokenVariables(_ config: Value.DictBox) -> [(name: String, value: Value)] {
        var variables: [(name: String, value: Value)] = []
        for name in specialAttributes {
            let given = config[.string(name)]
            let value = (given == nil ? specialDefaults[name] : given) ?? .none
            if name == "additional_special_tokens" {
                guard case let .list(items) = value, !items.items.isEmpty else { continue }
                variables.append((name, .list(items.items.map { tokenText($0).map(Value.string) ?? $0 })))
            } else if let text = tokenText(value), !text.isEmpty {
                variables.append((name, .string(text)))
            }
        }
        if case let .dict(extra)? = config[.string("extra_special_tokens")] {
            for (key, value) in extra.pairs {
                if let text = tokenText(value), !text.isEmpty { variables.append((key.pythonString, .string(text))) }
            }
        }
        return variables
    }

    /// `chat_template.jinja` wins over the config's `chat_template`, as transformers loads them.
    private static func templates(
        _ config: Value.DictBox, configPath: String,
        directory: ModelDirectory
    ) throws(KimiError) -> ChatTemplates {
        let jinjaPath = (directory.path as NSString).appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: jinjaPath) {
            return .single(text: try readText(jinjaPath), origin: jinjaPath)
        }
        switch config[.string("chat_template")] {
        case let .string(text)?:
            return .single(text: text, origin: "\(configPath) (chat_template)")
        case let .list(entries)?:
            var named: [(name: String, text: String)] = []
            for (index, entry) in entries.items.enumerated() {
                guard case let .dict(item) = entry, case let .string(name)? = item[.string("name")],
                    case let .string(text)? = item[.string("template")]
                else {
                    throw KimiError(.badInput, "\(configPath): chat_template[\(index)] is not an object with string 'name' and 'template'")
                }
                named.append((name, text))
            }
            return .named(named, origin: "\(configPath) (chat_template)")
        default:
            return .none
        }
    }

    static func readText(_ path: String) throws(KimiError) -> String {
        let bytes: [UInt8]
        do { bytes = try InputBytes.read(path) } catch { throw KimiError(.badInput, error.description) }
        do { return try UTF8Input.decode(bytes) } catch { throw KimiError(.badInput, "\(path): \(error)") }
    }

    /// `config.json`, when the directory has one.
    private static func readObject(_ path: String) throws(KimiError) -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        do { bytes = try InputBytes.read(path) } catch { throw KimiError(.badInput, error.description) }
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch { throw KimiError(.badInput, "\(path): \(error)") }
        guard case .object = value else { throw KimiError(.badInput, "\(path): the top level is \(value.typeName), not a JSON object") }
        return value
    }
}
