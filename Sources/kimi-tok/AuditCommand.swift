import ArgumentParser
import Dispatch
import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// `kimi-tok audit`: served turns from logs, each checked like `check`, `compare` and
/// `parse-tool-calls`, with a summary of the whole run.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit served turns (JSON lines of request, prompt IDs, response): which broke, and why.",
        discussion: """
            Each turn is {"id", "request", "prompt_token_ids", "response"}, every field but request \
            optional (K2VV's request and result files are read as they are; docs/cli.md lists the \
            other shapes). One JSON line per turn on stdout, {"findings", "id", "line"}, in input \
            order, written batch by batch. --summary writes the counts (per code, model and engine, \
            and K2VV's metrics); a table goes to stderr. Files may be gzip or zstd; '-' is stdin. \
            Exit status: 0 when no turn has an error, 1 when one has, 2 for bad usage or unreadable input.
            """)

    @Argument(help: "JSON-lines files or glob patterns ('-' for stdin, the default).") var files: [String] = []
    @Option(
        name: .customLong("engine"),
        help: "reference, vllm, sglang or llama.cpp: the engine that served the turns (a turn's \"engine\" field overrides it).")
    var engineName: EngineName = .reference
    @Flag(help: "The server ran the family's reasoning parser (for the engine's output parsers).") var reasoningParser = false
    @Flag(help: "Write only the turns with a finding.") var findingsOnly = false
    @Option(help: "Write the summary (JSON) to this file.") var summary: String?
    @Option(help: "Reference responses to the same requests (JSON lines, matched by id): adds K2VV's tool_call_precision, recall and F1.")
    var reference: [String] = []
    @Option(help: "Write a self-contained HTML report to this file.") var html: String?
    @Option(name: .customLong("inspector-url"), help: "The kimi-tok serve address the HTML report's turn links open.")
    var inspectorURL = "http://127.0.0.1:8080"
    @Flag(
        help:
            "Read envelopes {\"line\", \"file\", \"text\"} from stdin; {\"summary\": true} asks for the summary of the turns since the last one (the Ray integration's protocol)."
    )
    var jsonl = false
    @Option(
        name: .customLong("merge-summaries"), parsing: .upToNextOption,
        help: "Merge these summary files into one (to --summary, else stdout) and audit nothing.")
    var mergeSummaries: [String] = []
    @Option(help: "Turns audited together, then written (1 to 65536).") var batch = 1024
    @Option(help: "Worker threads (default: every core).") var threads: Int?
    @Option(name: .customLong("max-line-bytes"), help: "A longer line is a bad-record finding, skipped unread (default 64 MiB).")
    var maxLineBytes = 64 << 20
    @OptionGroup var model: ModelOptions

    func validate() throws {
        if !(1...65536).contains(batch) { throw ValidationError("--batch must be from 1 to 65536, not \(batch)") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024, not \(threads)") }
        if maxLineBytes < 1 { throw ValidationError("--max-line-bytes must be at least 1, not \(maxLineBytes)") }
        if jsonl, !files.isEmpty { throw ValidationError("--jsonl reads stdin; give no files") }
        if !mergeSummaries.isEmpty, !files.isEmpty || jsonl { throw ValidationError("--merge-summaries audits nothing; give no files") }
    }

    func run() throws {
        if !mergeSummaries.isEmpty { return try merge() }
        let tokenizer = try model.loadTokenizer()
        // One render pipeline for every turn: the template is read and compiled once.
        let renderer = Result { try model.renderer(templatePath: nil, tokenizer: tokenizer) }
        let inspected = InspectedModel(tokenizer: tokenizer, family: try model.resolvedFamily(tokenizer: tokenizer)) { try renderer.get() }
        var auditor = try TurnAuditor(model: inspected, engine: engineName.profile)
        auditor.reasoningParser = reasoningParser
        var references: ReferenceResponses?
        if !reference.isEmpty {
            var loaded = ReferenceResponses()
            for path in try AuditInput.paths(reference) {
                let input = try AuditInput(path: path)
                while let line = try input.nextLine() { loaded.add(line: line, number: input.lineNumber) }
            }
            references = loaded
        }
        var run = AuditRun(
            auditor: auditor, references: references, findingsOnly: findingsOnly, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
            keepWorst: html != nil)
        if jsonl {
            try run.serveEnvelopes(maxLineBytes: maxLineBytes)
        } else {
            let paths = try AuditInput.paths(files.isEmpty ? ["-"] : files)
            let inputs = try paths.map { try AuditInput(path: $0, maxLineBytes: maxLineBytes) }
            try run.audit(inputs, named: paths.count > 1, batch: batch)
        }
        if let summary {
            try Data(try JSONWriter.encode(run.summary) + [0x0A]).write(to: URL(fileURLWithPath: summary), options: .atomic)
        }
        if let html {
            let report = AuditHTMLReport(summary: run.summary, worst: run.worst, inspectorURL: inspectorURL)
            try Data(report.html.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        }
        if !jsonl { Output.standardError(run.summary.table) }
        if run.errors > 0 { throw ExitCode(1) }
    }

    private func merge() throws {
        var merged = AuditSummary()
        for path in mergeSummaries {
            do {
                merged.merge(try JSONDecoder().decode(AuditSummary.self, from: Data(try InputBytes.read(path))))
            } catch let error as DecodingError {
                throw KimiError(.badInput, "\(path): not an audit summary (\(error))")
            }
        }
        let bytes = try JSONWriter.encode(merged) + [0x0A]
        if let summary {
            try Data(bytes).write(to: URL(fileURLWithPath: summary), options: .atomic)
        } else {
            Output.standardOutput(bytes: bytes)
        }
    }
}

/// One audit run: lines audited in batches on every worker, records written in input order
/// after each batch, the summary counted as they go.
struct AuditRun {
    let auditor: TurnAuditor
    let references: ReferenceResponses?
    let findingsOnly: Bool
    let threads: Int
    let keepWorst: Bool
    private(set) var summary = AuditSummary()
    /// The counts since the last `{"summary": true}` (`--jsonl`).
    private var partial = AuditSummary()
    /// Turns with an error finding.
    private(set) var errors = 0
    /// The turns with the most findings (for the HTML report), at most ``AuditHTMLReport/worstCount``.
    private(set) var worst: [AuditHTMLReport.Turn] = []

    init(auditor: TurnAuditor, references: ReferenceResponses?, findingsOnly: Bool, threads: Int, keepWorst: Bool) {
        self.auditor = auditor
        self.references = references
        self.findingsOnly = findingsOnly
        self.threads = max(1, threads)
        self.keepWorst = keepWorst
    }

    /// A line waiting in a batch.
    struct Pending {
        let text: [UInt8]
        let number: Int
        let file: String?
        /// The length of a line too long to read (its text is empty).
        var tooLong: (length: Int, limit: Int)?
    }

    /// Audits every line of `inputs`, `batch` lines at a time.
    mutating func audit(_ inputs: [AuditInput], named: Bool, batch: Int) throws {
        var pending: [Pending] = []
        pending.reserveCapacity(batch)
        let progress = AuditProgress()
        for input in inputs {
            while let next = try input.next() {
                switch next {
                case let .text(line):
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                    pending.append(Pending(text: line, number: input.lineNumber, file: named ? input.name : nil))
                case let .tooLong(length):
                    pending.append(
                        Pending(text: [], number: input.lineNumber, file: named ? input.name : nil, tooLong: (length, input.maxLineBytes)))
                }
                if pending.count == batch {
                    Output.standardOutput(bytes: process(pending))
                    pending.removeAll(keepingCapacity: true)
                    progress.update(summary.turns)
                }
            }
        }
        if !pending.isEmpty { Output.standardOutput(bytes: process(pending)) }
        progress.finish()
    }

    /// The `--jsonl` protocol on stdin: envelopes audited when a summary is asked for (and at
    /// the end), the records then `{"summary": …}` of those turns written at once.
    mutating func serveEnvelopes(maxLineBytes: Int) throws {
        // An envelope carries its turn escaped: it may be a sixth longer, and more.
        let input = try AuditInput(path: "-", maxLineBytes: maxLineBytes * 2)
        var pending: [Pending] = []
        func flush(_ run: inout AuditRun) {
            var output = run.process(pending)
            pending.removeAll(keepingCapacity: true)
            output += Array("{\"summary\":".utf8) + ((try? JSONWriter.encode(run.partial)) ?? []) + Array("}\n".utf8)
            run.partial = AuditSummary()
            Output.standardOutput(bytes: output)
        }
        while let line = try input.nextLine() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let envelope = try? JSONReader.parse(line)
            if envelope?["summary"] == .bool(true) {
                flush(&self)
                continue
            }
            guard case let .string(text)? = envelope?["text"], case let .int(number)? = envelope?["line"] else {
                throw KimiError(.badInput, "stdin line \(input.lineNumber): --jsonl reads {\"line\": N, \"file\": F, \"text\": TURN} or {\"summary\": true}")
            }
            var file: String?
            if case let .string(name)? = envelope?["file"] { file = name }
            pending.append(Pending(text: Array(text.utf8), number: number, file: file))
        }
        if !pending.isEmpty { flush(&self) }
    }

    /// Audits `lines` on the workers and counts them; their records, in order.
    private mutating func process(_ lines: [Pending]) -> [UInt8] {
        let auditor = self.auditor
        let results =
            (try? BatchEncoder.parallelMap(count: lines.count, threads: threads, itemsPerBlock: 8) { index -> AuditLine in
                let line = lines[index]
                if let tooLong = line.tooLong {
                    return AuditLine(tooLong: tooLong.length, limit: tooLong.limit, number: line.number, file: line.file)
                }
                return AuditLine(line.text, number: line.number, file: line.file, auditor: auditor)
            }) ?? []
        var output: [UInt8] = []
        for (index, result) in results.enumerated() {
            if let audit = result.audit {
                let answer = references?.answer(for: result.key) ?? .notGiven
                summary.add(audit, reference: answer)
                partial.add(audit, reference: answer)
            } else {
                summary.addBadRecord()
                partial.addBadRecord()
            }
            if result.hasErrors { errors += 1 }
            if keepWorst, result.hasFindings { remember(result, text: lines[index].text) }
            guard result.hasFindings || !findingsOnly else { continue }
            output += result.record
            output.append(0x0A)
        }
        return output
    }

    private mutating func remember(_ result: AuditLine, text: [UInt8]) {
        let turn = AuditHTMLReport.Turn(line: result, text: text)
        guard worst.count == AuditHTMLReport.worstCount else {
            worst.append(turn)
            worst.sort { $0.weight > $1.weight }
            return
        }
        guard let last = worst.last, turn.weight > last.weight else { return }
        worst[worst.count - 1] = turn
        worst.sort { $0.weight > $1.weight }
    }
}

/// A progress line on stderr while auditing, when stderr is a terminal.
final class AuditProgress {
    private let enabled = isatty(STDERR_FILENO) != 0
    private let started = DispatchTime.now()

    func update(_ turns: Int) {
        guard enabled else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        Output.standardError("\raudit: \(turns) turns, \(Int(Double(turns) / max(seconds, 1e-3))) turns/s")
    }

    func finish() {
        if enabled { Output.standardError("\r\u{1B}[K") }
    }
}
