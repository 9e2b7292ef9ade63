import ArgumentParser
import KimiTokenizer

extension EncodeMode: ExpressibleByArgument {}

/// `kimi-tok encode`: text to token IDs.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text to token IDs.",
        discussion: "Modes: hf (default; what engines run), tiktoken, ordinary (special-token strings are text).")

    @OptionGroup var input: TextInput
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Flag(help: "Print one JSON object: ids, count, mode.") var json = false
    @Flag(help: "Print only the number of tokens.") var count = false
    @OptionGroup var model: ModelOptions

    func run() throws {
        let text = try input.read()
        let tokenizer = try model.loadTokenizer()
        let ids = try tokenizer.encode(text, mode: mode)
        switch (json, count) {
        case (true, true): try Output.json(["count": ids.count])
        case (true, false): try Output.json(EncodeResult(ids: ids, count: ids.count, mode: mode.rawValue))
        case (false, true): Output.standardOutput("\(ids.count)\n")
        case (false, false): Output.standardOutput(ids.map(String.init).joined(separator: " ") + "\n")
        }
    }

    private struct EncodeResult: Encodable {
        let ids: [Int]
        let count: Int
        let mode: String
    }
}
