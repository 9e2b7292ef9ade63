import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer
import TestSupport

/// The tokenizers and models the golden suites run on (see ``GoldenFixtures``), loaded once.
enum GoldenModels {
    private static let loaded: Result<[String: (tokenizer: KimiTokenizer, configuration: ModelConfiguration)], any Error> = Result {
        var models: [String: (KimiTokenizer, ModelConfiguration)] = [:]
        for (name, path) in try GoldenFixtures.modelDirectories() {
            let directory = ModelDirectory(path: path, source: .option)
            let tokenizer = try KimiTokenizer.load(directory)
            models[name] = (tokenizer, try ModelConfiguration(directory: directory, tokenizerConfig: tokenizer.config))
        }
        return models
    }

    static func tokenizer(_ name: String) throws -> KimiTokenizer {
        guard let model = try loaded.get()[name] else { throw GoldenFixtures.Failure("no model \(name)") }
        return model.tokenizer
    }

    /// The renderer of `name`: its own directory's template, or `template` (K2.5's fixtures bring
    /// a small template of their own, the model's is not in the fixtures).
    static func renderer(_ name: String, template: String? = nil) throws -> ChatRenderer {
        guard let model = try loaded.get()[name] else { throw GoldenFixtures.Failure("no model \(name)") }
        if let template {
            return ChatRenderer(
                template: try Template(source: template, name: "fixture"), specialTokenVariables: model.configuration.specialTokenVariableMap,
                family: model.configuration.family)
        }
        return try ChatRenderer(configuration: model.configuration)
    }

    static func inspected(_ name: String) throws -> InspectedModel {
        let tokenizer = try tokenizer(name)
        let made = Result { try Self.renderer(name) }
        return InspectedModel(tokenizer: tokenizer, family: try made.get().family) { try made.get() }
    }

    /// A request of a fixture (JSON text, `{"messages", "tools"}`), read as kimi-tok reads a
    /// request file (keys in their order).
    static func request(_ text: Any?) throws -> ChatRequest {
        guard let text = text as? String else { throw GoldenFixtures.Failure("a fixture's request is not JSON text") }
        return try ChatRequest.read(messagesJSON: Array(text.utf8))
    }

    /// A fixture's tools (JSON text), when it has them.
    static func tools(_ text: Any?) throws -> [Value]? {
        guard let text = text as? String else { return nil }
        return try ChatRequest.readTools(Array(text.utf8))
    }

    /// A fixture's template variables (a JSON object as text).
    static func variables(_ text: Any?) throws -> [String: Value] {
        guard let text = text as? String, case let .dict(box) = try JSONReader.parseValue(Array(text.utf8)) else { return [:] }
        var variables: [String: Value] = [:]
        for (key, value) in box.pairs { variables[key.pythonString] = value }
        return variables
    }

    /// Two JSON documents are the same value (key order and spacing aside).
    static func sameJSON(_ a: [UInt8], _ b: Any) -> Bool {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(a), options: [.fragmentsAllowed]) else { return false }
        return canonical(parsed) == canonical(b)
    }

    /// A JSON value printed with sorted keys, to compare two values.
    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
}
