import ArgumentParser
import KimiChatTemplate
import KimiInspector
import KimiTokenizer

/// Options that choose and check the vocabulary.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp(
            "Directory with tiktoken.model and tokenizer_config.json.",
            discussion: "Default: $KIMI_TOK_MODEL_DIR, then $XDG_DATA_HOME/kimi-tok/models/kimi-k2 (else ~/.local/share/...), filled by scripts/setup."))
    var modelDirectory: String?

    @Flag(help: "Refuse a vocabulary whose sha256 is not a known Kimi vocabulary.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "The model family: k2, k25 (Kimi K2.5/K2.6) or k3.",
            discussion: "Default: detected from the model directory (config.json's model_type, else the special tokens its tokenizer_config.json names)."))
    var family: ModelFamily?

    /// The model directory chosen by --model-dir, the environment or the user data directory.
    func directory() throws -> ModelDirectory {
        try ModelDirectory.resolve(option: modelDirectory)
    }

    /// `--family`, else the family detected from the model directory.
    func resolvedFamily(tokenizer: KimiTokenizer) throws -> ModelFamily {
        if let family { return family }
        return try ModelConfiguration(directory: try directory(), tokenizerConfig: tokenizer.config).family
    }

    /// The render pipeline of the model directory, with `--template` and `--family` applied;
    /// with the loaded tokenizer, its `tokenizer_config.json` is not read again.
    func renderer(templatePath: String?, tokenizer: KimiTokenizer? = nil) throws -> ChatRenderer {
        let directory = try directory()
        let configuration =
            try tokenizer.map { try ModelConfiguration(directory: directory, tokenizerConfig: $0.config) }
            ?? ModelConfiguration(directory: directory)
        return try ChatRenderer(configuration: configuration, templatePath: templatePath, family: family)
    }

    /// The model an inspection runs on: `tokenizer`, the resolved family, and the render
    /// pipeline with `--template`, made only when needed.
    func inspected(tokenizer: KimiTokenizer, templatePath: String?) throws -> InspectedModel {
        let options = self
        return InspectedModel(tokenizer: tokenizer, family: try resolvedFamily(tokenizer: tokenizer)) {
            try options.renderer(templatePath: templatePath, tokenizer: tokenizer)
        }
    }

    /// Loads the tokenizer, printing load warnings on stderr.
    func loadTokenizer() throws -> KimiTokenizer {
        let directory = try directory()
        let tokenizer = try KimiTokenizer.load(directory, strict: strict)
        for warning in tokenizer.warnings { Output.standardError("kimi-tok: warning: \(warning)\n") }
        return tokenizer
    }
}

extension ModelFamily: ExpressibleByArgument {}
