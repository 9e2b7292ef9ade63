import ArgumentParser
import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer

extension EncodeMode: ExpressibleByArgument {}

/// `kimi-tok encode`: text to token IDs.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text to token IDs.",
        discussion: "Modes: hf (default; what engines run), tiktoken, ordinary (special-token strings are text).")

    @OptionGroup var input: TextInput
    @Option(help: "Encode one JSON record per line of this file ('-' for stdin) on all cores; print one JSON line each.")
    var jsonl: String?
    @Option(help: "With --jsonl: the record field holding the text.") var field = "text"
    @Option(parsing: .unconditional, help: "With --jsonl: worker threads (default: one per core).") var threads: Int?
    @Option(
        help: ArgumentHelp(
            "Encode a prompt built as segments: a JSON list of [text, allow_special] ('-' for stdin).",
            discussion:
                "Each segment is encoded on its own, as Kimi K3's tokenizer class does: with special tokens allowed when allow_special is true, as ordinary text otherwise."
        ))
    var segments: String?
    @Option(help: "hf, tiktoken or ordinary.") var mode: EncodeMode = .hf
    @Option(
        help: ArgumentHelp(
            "reference or llama.cpp: whose tokenizer encodes.",
            discussion:
                "llama.cpp is its own tokenizer for a Kimi GGUF: its pre-tokenizer cuts words at combining marks and keeps case changes together, and <|reserved_token_163840|> and 163841 are text to it; --mode ordinary is its parse_special off."
        ))
    var engine: EngineName = .reference
    @Flag(help: "Print one JSON object: ids, count, mode.") var json = false
    @Flag(help: "Print only the number of tokens.") var count = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if jsonl != nil, input.text != nil || input.file != nil { throw ValidationError("give --jsonl, or TEXT / --file, not both") }
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be from 1 to 1024, not \(threads)") }
        if segments != nil, jsonl != nil || input.text != nil || input.file != nil {
            throw ValidationError("give --segments, or TEXT / --file / --jsonl, not both")
        }
    }

    func run() throws {
        if let jsonl { return try encodeLines(jsonl) }
        if let segments { return try encodeSegments(segments) }
        if mode == .hf, engine.profile.tokenizer == .reference, let file = input.file, StreamingEncoder.canStream(file) { return try encodeStreaming(file) }
        let text = try input.read()
        let tokenizer = try loadTokenizer()
        try printIDs(try tokenizer.encode(text, mode: mode), mode: mode.rawValue)
    }

    /// The tokenizer `--engine` names.
    private func loadTokenizer() throws -> KimiTokenizer {
        engine.profile.tokenizer.tokenizer(from: try model.loadTokenizer())
    }

    /// The IDs as the options ask: numbers, a count, or one JSON object (the same shape, key
    /// order included, as the streamed output of a file).
    private func printIDs(_ ids: [Int], mode: String) throws {
        switch (json, count) {
        case (true, true): try Output.json(["count": ids.count])
        case (true, false):
            Output.standardOutput("{\"ids\":[" + IDText.string(ids, separator: UInt8(ascii: ",")) + "],\"count\":\(ids.count),\"mode\":\"\(mode)\"}\n")
        case (false, true): Output.standardOutput("\(ids.count)\n")
        case (false, false): Output.standardOutput(IDText.string(ids, separator: UInt8(ascii: " ")) + "\n")
        }
    }

    /// A prompt given as segments, each encoded on its own.
    private func encodeSegments(_ path: String) throws {
        let list = try PromptSegments.read(try InputBytes.read(path))
        try printIDs(try loadTokenizer().encode(segments: list), mode: "segments")
    }

    /// A file in `hf` mode: read and encoded 400,000 characters at a time (exactly the IDs of
    /// encoding it whole), so any size fits in bounded memory; a progress bar on a terminal.
    private func encodeStreaming(_ path: String) throws {
        let tokenizer = try model.loadTokenizer()
        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let progress = ProgressBar(total: total)
        var written = 0
        var started = false
        try StreamingEncoder(tokenizer: tokenizer).encode(file: path, progress: progress.update) { ids in
            written += ids.count
            guard !count, !ids.isEmpty else { return }
            let list = IDText.string(ids, separator: UInt8(ascii: json ? "," : " "))
            Output.standardOutput((json ? (started ? "," : "{\"ids\":[") : (started ? " " : "")) + list)
            started = true
        }
        progress.finish()
        switch (json, count) {
        case (true, true): try Output.json(["count": written])
        case (true, false): Output.standardOutput((started ? "" : "{\"ids\":[") + "],\"count\":\(written),\"mode\":\"hf\"}\n")
        case (false, true): Output.standardOutput("\(written)\n")
        case (false, false): Output.standardOutput("\n")
        }
    }

    /// `--jsonl`: records in, one `{"ids": [...]}` or `{"count": n}` line out per record, in
    /// order; records are read, encoded and written on all cores, a chunk of lines at a time.
    private func encodeLines(_ path: String) throws {
        let input = try MappedInput(path: path)
        let chunks = JSONLRecords.chunks(of: input.bytes)
        let tokenizer = try loadTokenizer()
        let (field, mode, count) = (field, mode, count)
        let outputs: [[UInt8]]
        do {
            outputs = try BatchEncoder.parallelMap(
                count: chunks.count, threads: threads ?? ProcessInfo.activeProcessorCountOrOne,
                itemsPerBlock: 1
            ) { index in
                var output: [UInt8] = []
                try JSONLRecords.forEachText(in: chunks[index], of: input, field: field) { text in
                    let ids = try tokenizer.encode(text, mode: mode)
                    output.append(contentsOf: (count ? "{\"count\":\(ids.count)}" : "{\"ids\":[").utf8)
                    if !count {
                        IDText.append(ids, separator: UInt8(ascii: ","), to: &output)
                        output.append(contentsOf: "]}".utf8)
                    }
                    output.append(UInt8(ascii: "\n"))
                }
                return output
            }
        } catch let invalid as JSONLRecords.InvalidRecord {
            throw invalid.numbered(in: input.bytes)
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(outputs.reduce(0) { $0 + $1.count })
        for chunk in outputs { joined.append(contentsOf: chunk) }
        Output.standardOutput(bytes: joined)
    }
}
