import Foundation
import KimiIO

/// `tokenizer_config.json`, read once: the one reader of that file for the tokenizer (the names
/// of the special tokens) and for rendering (the special-token attributes and the chat template).
public struct TokenizerConfig: Sendable {
    /// Special-token names by id, from `added_tokens_decoder`.
    public let addedTokens: [Int: String]
    /// The whole file, for the fields rendering reads (`bos_token`, `chat_template`, ...).
    public let fields: JSONValue
    /// Where it was read from.
    public let path: String

    /// Reads and checks `path`.
    public init(contentsOf path: String) throws(VocabularyError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .fileUnreadable(path: path, reason: "no such file; a model directory holds tiktoken.model and tokenizer_config.json")
        }
        let data: [UInt8]
        do { data = try InputBytes.read(path) } catch { throw .fileUnreadable(path: path, reason: error.reason) }
        try self.init(data: data, path: path)
    }

    init(data: [UInt8], path: String) throws(VocabularyError) {
        let root: JSONValue
        do {
            root = try JSONReader.parse(data)
        } catch {
            throw .invalidConfig(path: path, reason: "\(error)")
        }
        guard case let .object(pairs) = root else {
            throw .invalidConfig(path: path, reason: "the top level is \(root.typeName), not a JSON object")
        }
        guard let decoder = root["added_tokens_decoder"] else {
            throw .invalidConfig(path: path, reason: "no 'added_tokens_decoder'; it names the special tokens")
        }
        guard case let .object(entries) = decoder else {
            throw .invalidConfig(path: path, reason: "'added_tokens_decoder' is not an object of id -> token")
        }
        var addedTokens: [Int: String] = [:]
        for (key, value) in entries {
            guard let id = Int(key), id >= 0 else {
                throw .invalidConfig(path: path, reason: "'added_tokens_decoder' key '\(key)' is not a token id")
            }
            guard case let .string(content)? = value["content"], !content.isEmpty else {
                throw .invalidConfig(path: path, reason: "'added_tokens_decoder'[\"\(key)\"] has no string 'content'")
            }
            addedTokens[id] = content
        }
        self.addedTokens = addedTokens
        self.fields = .object(pairs)
        self.path = path
    }
}
