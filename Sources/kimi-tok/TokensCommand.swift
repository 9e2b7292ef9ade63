import ArgumentParser
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

    enum ColorChoice: String, ExpressibleByArgument { case auto, always, never }

    @OptionGroup var input: TextInput
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Flag(help: "Print one JSON object with a tokens array.") var json = false
    @Option(help: "auto (a terminal without NO_COLOR), always or never.") var color: ColorChoice = .auto
    @OptionGroup var model: ModelOptions

    func run() throws {
        let text = try input.read()
        let tokenizer = try model.loadTokenizer()
        let ids = try tokenizer.encode(text, mode: mode)
        let pieces = try tokenizer.tokenBytes(ids)
        if json {
            try Output.json(TokensResult(tokens: ids.indices.map { index in
                TokenEntry(index: index, id: ids[index], special: tokenizer.isSpecial(ids[index]),
                           text: String(decoding: pieces[index], as: UTF8.self),
                           bytes_hex: pieces[index].map { String(format: "%02x", $0) }.joined())
            }))
            return
        }
        let style = TerminalStyle(enabled: color == .always || (color == .auto && TerminalStyle.autoEnabled))
        let indexWidth = max(5, String(ids.count).count)
        var output = style.dim("index".leftPadded(indexWidth) + "      id  piece") + "\n"
        for (index, id) in ids.enumerated() {
            let piece = tokenizer.isSpecial(id)
                ? style.special("«" + String(decoding: pieces[index], as: UTF8.self) + "»")
                : style.escapes(TokenDisplay.visible(pieces[index]))
            output += String(index).leftPadded(indexWidth) + "  " + String(id).leftPadded(6) + "  " + piece + "\n"
        }
        output += style.dim("\(ids.count) tokens") + "\n"
        Output.standardOutput(output)
    }

    private struct TokensResult: Encodable { let tokens: [TokenEntry] }
    private struct TokenEntry: Encodable {
        let index: Int
        let id: Int
        let special: Bool
        let text: String
        let bytes_hex: String
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
