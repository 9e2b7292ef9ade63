import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// One model the service answers for: its vocabulary and render pipeline, loaded once at start
/// and shared by every request.
public struct ServedModel: Sendable {
    /// The name requests pick it by (`model`).
    public let name: String
    public let directory: ModelDirectory
    public let tokenizer: KimiTokenizer
    public let configuration: ModelConfiguration
    /// `max_model_len` of `/tokenize` answers.
    public let maxModelLength: Int
    /// The pipeline of the directory's own template (a directory without one still serves
    /// encode, decode, IDs and prompts; rendering then answers 422 with the reason).
    private let renderer: Result<ChatRenderer, ServiceError>

    /// Loads the model in `directory`, named `name`; `maxModelLength` is used when `config.json`
    /// has no `max_position_embeddings`.
    public init(name: String, directory: ModelDirectory, strict: Bool = false, maxModelLength: Int) throws {
        self.name = name
        self.directory = directory
        tokenizer = try KimiTokenizer.load(directory, strict: strict)
        configuration = try ModelConfiguration(directory: directory, tokenizerConfig: tokenizer.config)
        self.maxModelLength = Self.configuredLength(directory) ?? maxModelLength
        let configuration = configuration
        renderer = Result { try ChatRenderer(configuration: configuration) }.mapError(ServiceError.from)
    }

    public var family: ModelFamily { configuration.family }

    /// The model for an inspection: its own template, or `chatTemplate` (a request's Jinja text)
    /// with the directory's special-token variables and family.
    func inspected(chatTemplate: String?, limits: RenderLimits) throws -> InspectedModel {
        let renderer: ChatRenderer
        if let chatTemplate {
            renderer = try ChatRenderer(configuration: configuration, templateSource: chatTemplate, name: "chat_template", option: "'chat_template'")
        } else {
            renderer = try self.renderer.get()
        }
        let limited = renderer.limited(by: limits)
        return InspectedModel(tokenizer: tokenizer, family: family) { limited }
    }

    /// `max_position_embeddings` from `config.json` (or its `text_config`), when it is there.
    private static func configuredLength(_ directory: ModelDirectory) -> Int? {
        let path = URL(fileURLWithPath: directory.path).appendingPathComponent("config.json").path
        guard let bytes = FileManager.default.contents(atPath: path), let config = try? JSONReader.parse(Array(bytes)) else { return nil }
        for value in [config["max_position_embeddings"], config["text_config"]?["max_position_embeddings"]] {
            if case let .int(length)? = value, length > 0 { return length }
        }
        return nil
    }
}

/// The models of one service, by name; the first is the default for requests without `model`.
public struct ModelRegistry: Sendable {
    public let models: [ServedModel]

    public init(_ models: [ServedModel]) throws {
        guard !models.isEmpty else { throw ServiceError(status: 500, "no model to serve") }
        var seen: Set<String> = []
        for model in models where !seen.insert(model.name).inserted {
            throw ServiceError(status: 500, "two models are named '\(model.name)'; name them with --model-name NAME=DIR")
        }
        self.models = models
    }

    /// The model `name` picks, the default one when `name` is nil; 404 for a name not served.
    func model(named name: String?) throws -> ServedModel {
        guard let name else { return models[0] }
        if let model = models.first(where: { $0.name == name }) { return model }
        throw ServiceError(status: 404, "the model '\(name)' does not exist; this server has \(models.map { "'\($0.name)'" }.joined(separator: ", "))")
    }
}
