import ArgumentParser
import KimiIO
import KimiTokenizer

/// Text to work on: an argument, a file, or stdin; always valid UTF-8.
struct TextInput: ParsableArguments {
    @Argument(help: "The text. Without it, --file or stdin is read.")
    var text: String?

    @Option(name: .long, help: "Read the text from this file ('-' for stdin).")
    var file: String?

    func validate() throws {
        if text != nil, file != nil { throw ValidationError("give TEXT or --file, not both") }
    }

    /// The text, or an error naming the offset of invalid UTF-8.
    func read() throws -> String {
        if let text { return text }
        return try UTF8Input.decode(try InputBytes.read(file ?? "-"))
    }
}
