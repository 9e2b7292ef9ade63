import ArgumentParser
import Foundation
import KimiBenchmarks
import KimiIO
import KimiTokenizer

/// `kimi-tok bench`: encode throughput of a file, in-process.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Encode a file repeatedly in-process and report the best run.",
        discussion: "With --load, time loading the vocabulary instead: parsed, and from a cache file.")

    @Option(help: "The text file to encode.") var file: String?
    @Flag(help: "Time vocabulary loads instead of encoding.") var load = false
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Option(parsing: .unconditional, help: "Encode at least this many times (1 or more).") var runs = 3
    @Option(parsing: .unconditional, help: "And for at least this many seconds in all (0 to 3600).") var seconds = 1.0
    @Flag(help: "Print one JSON object: bytes, count (tokens), seconds, mb_per_s, runs.") var json = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if load == (file != nil) { throw ValidationError("give exactly one of --file and --load") }
        if runs < 1 { throw ValidationError("--runs must be 1 or more, not \(runs)") }
        if !seconds.isFinite || seconds < 0 || seconds > 3600 {
            throw ValidationError("--seconds must be a number of seconds from 0 to 3600, not \(seconds)")
        }
    }

    func run() throws {
        guard let file else { return try runLoad() }
        let text = try UTF8Input.decode(try InputBytes.read(file))
        let tokenizer = try model.loadTokenizer()
        let result = try EncodeBenchmark.measure(tokenizer, text: text, mode: mode, minimumRuns: runs, minimumSeconds: seconds)
        if json {
            try Output.json(result)
        } else {
            Output.standardOutput(
                String(
                    format: "%@: %d bytes, %d tokens, best of %d runs %.4f s, %.2f MB/s\n",
                    file, result.bytes, result.tokens, result.runs, result.seconds, result.megabytesPerSecond))
        }
    }

    private func runLoad() throws {
        let path = try ModelDirectory.resolve(option: model.modelDirectory).tiktokenModelPath
        let result = try VocabularyLoadBenchmark.measure(path: path, runs: runs)
        if json {
            try Output.json(result)
        } else {
            Output.standardOutput(
                String(
                    format: "%@: vocabulary load, best of %d: parsed %.1f ms, from cache %.1f ms\n",
                    path, result.runs, result.parsedSeconds * 1e3, result.cachedSeconds * 1e3))
        }
    }
}
