import ArgumentParser
import Foundation
import KimiTokenizer

/// `kimi-tok tokens`: the token stream for people.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Show the token stream: index, ID and the piece of every token.",
        discussion: """
            Pieces are escaped: ␣ is a space, \\n \\r \\t are line feed, carriage return and tab, \
            \\u{XXXX} is other whitespace or an invisible character, \\xNN a byte of a cut UTF-8 \
            character. Special tokens are shown as «NAME».
            """)

    @OptionGroup var input: TextInput
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Flag(help: "Print one JSON object with a tokens array.") var json = false
    @Option(help: "auto (a terminal without NO_COLOR), always or never.") var color: TokenStreamOutput.ColorChoice = .auto
    @OptionGroup var model: ModelOptions

    func run() throws {
        let text = try input.read()
        let tokenizer = try model.loadTokenizer()
        let ids = try tokenizer.encode(text, mode: mode)
        if json {
            try Output.json(try TokenListing(ids, tokenizer: tokenizer))
        } else {
            Output.standardOutput(try TokenStreamOutput.table(ids, tokenizer, color: color))
        }
    }
}
