import ArgumentParser
import KimiTokenizer

/// Options that choose and check the vocabulary.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("model-dir"), help: ArgumentHelp(
        "Directory with tiktoken.model and tokenizer_config.json.",
        discussion: "Default: $KIMI_TOK_MODEL_DIR, then Vocab/kimi-k2 in the kimi-tok checkout."))
    var modelDirectory: String?

    @Flag(help: "Refuse a vocabulary whose sha256 is not a known Kimi vocabulary.")
    var strict = false

    /// Loads the tokenizer, printing load warnings on stderr.
    func loadTokenizer() throws -> KimiTokenizer {
        let directory = try ModelDirectory.resolve(option: modelDirectory)
        let tokenizer = try KimiTokenizer.load(directory, strict: strict)
        for warning in tokenizer.warnings { Output.standardError("kimi-tok: warning: \(warning)\n") }
        return tokenizer
    }
}
