import ArgumentParser
import KimiInspector
import KimiTokenizer

/// `kimi-tok normalize-ids`: Kimi-style tool-call IDs in a request's history.
struct NormalizeIDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize-ids",
        abstract: "Rewrite history tool-call IDs to functions.NAME:IDX and print the request.",
        discussion: "Each tool message's tool_call_id follows its call; every other byte of the JSON is kept.")

    @Option(help: "JSON messages or a request object ('-' for stdin).") var messages: String

    func run() throws {
        let result = try ToolCallIDNormalizer.normalize(try InputBytes.read(messages))
        Output.standardOutput(String(decoding: result.json, as: UTF8.self))
    }
}
