import ArgumentParser
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok decode`: token IDs to text.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode token IDs to text.",
        discussion: """
            IDs come from the arguments, or from --file / stdin in any shape engines return them \
            (a JSON array, vLLM or llama.cpp /tokenize, prompt_token_ids, ...) or as numbers \
            separated by commas or whitespace. Bytes that are not whole UTF-8 characters print as \
            U+FFFD; --json also gives every token's exact bytes in hex.
            """)

    @Argument(help: "Token IDs.") var ids: [String] = []
    @Option(help: "Read the IDs from this file ('-' for stdin).") var file: String?
    @Option(
        help: ArgumentHelp(
            "prompt or output: which IDs of a completion response to decode.",
            discussion: "Needed when the response holds both (vLLM prompt_token_ids and choices[i].token_ids)."))
    var part: EngineTokenIDs.Part?
    @Option(help: "Which choice's output to decode (from 0), when the response has several.") var choice: Int?
    @Flag(help: "Print one JSON object: text, bytes_hex (per token), valid_utf8.") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if !ids.isEmpty, file != nil { throw ValidationError("give IDS or --file, not both") }
        if let choice, choice < 0 { throw ValidationError("--choice must be 0 or more, not \(choice)") }
    }

    func run() throws {
        let lists =
            ids.isEmpty
            ? try EngineTokenIDs.ids(InputBytes.read(file ?? "-"), part: part)
            : [try EngineTokenIDs.parse(Array(ids.joined(separator: " ").utf8))]
        let list = try ChoiceSelection.one(of: lists, choice: choice)
        let tokenizer = try model.loadTokenizer()
        let pieces = try tokenizer.tokenBytes(list)
        let bytes = pieces.flatMap { $0 }
        let text = String(decoding: bytes, as: UTF8.self)
        if json {
            try Output.json(
                DecodeResult(
                    text: text,
                    bytes_hex: pieces.map(TokenListing.hex),
                    valid_utf8: UTF8Input.firstInvalidOffset(bytes) == nil))
        } else {
            Output.standardOutput(Output.isTerminal ? text + "\n" : text)
        }
    }

    private struct DecodeResult: Encodable {
        let text: String
        let bytes_hex: [String]
        let valid_utf8: Bool
    }
}
