import Foundation

/// What kimi-tok reads from `tokenizer_config.json`: the names of the special tokens.
struct TokenizerConfig {
    /// Special-token names by id, from `added_tokens_decoder`.
    let addedTokens: [Int: String]

    init(data: Data, path: String) throws(VocabularyError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalidConfig(path: path, reason: "not valid JSON (\(Self.reason(error)))")
        }
        guard let root = object as? [String: Any] else {
            throw .invalidConfig(path: path, reason: "the top level is not a JSON object")
        }
        guard let decoder = root["added_tokens_decoder"] else {
            throw .invalidConfig(path: path, reason: "no 'added_tokens_decoder'; it names the special tokens")
        }
        guard let entries = decoder as? [String: Any] else {
            throw .invalidConfig(path: path, reason: "'added_tokens_decoder' is not an object of id -> token")
        }
        var addedTokens: [Int: String] = [:]
        for (key, value) in entries {
            guard let id = Int(key), id >= 0 else {
                throw .invalidConfig(path: path, reason: "'added_tokens_decoder' key '\(key)' is not a token id")
            }
            guard let content = (value as? [String: Any])?["content"] as? String, !content.isEmpty else {
                throw .invalidConfig(path: path, reason: "'added_tokens_decoder'[\"\(key)\"] has no string 'content'")
            }
            addedTokens[id] = content
        }
        self.addedTokens = addedTokens
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }
}
