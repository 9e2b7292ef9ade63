import ArgumentParser
import Foundation
import KimiTokenizer

/// `kimi-tok bench`: encode throughput of a file, in-process.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Encode a file repeatedly in-process and report the best run.")

    @Option(help: "The text file to encode.") var file: String
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Option(help: "Encode at least this many times.") var runs = 3
    @Option(help: "And for at least this many seconds in all.") var seconds = 1.0
    @Flag(help: "Print one JSON object: bytes, tokens, seconds, mb_per_s, runs.") var json = false
    @OptionGroup var model: ModelOptions

    func run() throws {
        let text = try UTF8Input.decode(try InputBytes.read(file))
        let tokenizer = try model.loadTokenizer()
        let result = try EncodeBenchmark.measure(tokenizer, text: text, mode: mode, minimumRuns: runs, minimumSeconds: seconds)
        if json {
            try Output.json(result)
        } else {
            Output.standardOutput(String(format: "%@: %d bytes, %d tokens, best of %d runs %.4f s, %.2f MB/s\n",
                                         file, result.bytes, result.tokens, result.runs, result.seconds, result.megabytesPerSecond))
        }
    }
}
