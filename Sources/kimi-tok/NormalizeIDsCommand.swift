import ArgumentParser
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok normalize-ids`: Kimi-style tool-call IDs in a request's history.
struct NormalizeIDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize-ids",
        abstract: "Rewrite history tool-call IDs to functions.NAME:IDX and print the request.",
        discussion: """
            Each tool message's tool_call_id follows its own call (the most recent unanswered call \
            with that ID); a call without an id gets one; every other byte of the JSON is kept. \
            A tool_call_id that answers no call is reported on stderr and left as it is.
            """)

    @Option(help: "JSON messages or a request object ('-' for stdin).") var messages: String

    func run() throws {
        let result = try ToolCallIDNormalizer.normalize(try InputBytes.read(messages))
        for problem in result.problems { Output.standardError("kimi-tok: warning: \(problem)\n") }
        Output.standardOutput(String(decoding: result.json, as: UTF8.self))
    }
}
