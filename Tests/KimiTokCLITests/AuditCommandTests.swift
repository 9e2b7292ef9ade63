import Foundation
import TestSupport
import Testing

/// `kimi-tok audit` as a user runs it: files, globs, gzip and zstd, stdin; a bad line is a
/// finding, never the end of the run; the summary and the HTML report; the `--jsonl` protocol
/// and `--merge-summaries` that the Ray integration uses.
@Suite("audit command", .serialized, .needsVocabulary)
struct AuditCommandTests {
    static let fixture = GoldenFixtures.directory.appendingPathComponent("audit")
    static let turns = fixture.appendingPathComponent("turns.jsonl").path

    func records(_ result: CLI.Result) throws -> [[String: Any]] {
        try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func recordsInOrderWithSummaryAndExitStatus() throws {
        let directory = try CLI.temporaryDirectory()
        let summary = directory.appendingPathComponent("summary.json").path
        let result = try CLI.run(["audit", Self.turns, "--summary", summary, "--threads", "2", "--batch", "7"])
        #expect(result.status == 1, "turns with error findings give exit 1: \(result.stderr)")
        let lines = try records(result)
        #expect(lines.count == 150)
        #expect(lines.map { $0["line"] as? Int } == (1...150).map { $0 })
        #expect(lines.allSatisfy { $0["findings"] is [[String: Any]] && $0["id"] != nil })
        #expect(result.stderr.contains("audit: 150 turns"))
        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        #expect(written["turns"] as? Int == 150)
        #expect((written["k2vv"] as? [String: Any])?["schema_accuracy"] is Double)
        // The same records with one thread and another batch size.
        let single = try CLI.run(["audit", Self.turns, "--threads", "1", "--batch", "1000"])
        #expect(single.stdout == result.stdout)
    }

    @Test func badLinesAreFindingsAndCleanTurnsExitZero() throws {
        let clean = #"{"id": "ok", "request": {"messages": [{"role": "user", "content": "hi"}]}}"#
        let input = "\(clean)\n\n{not json\n[1, 2]\n\(clean)\n"
        let result = try CLI.run(["audit", "-"], stdin: Data(input.utf8))
        #expect(result.status == 1)
        let lines = try records(result)
        #expect(lines.map { $0["line"] as? Int } == [1, 3, 4, 5])
        let codes = lines.map { (($0["findings"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } }
        #expect(codes == [[], ["bad-record"], ["bad-record"], []])
        let message = (lines[1]["findings"] as? [[String: Any]])?.first?["message"] as? String ?? ""
        #expect(message.contains("column 2"), "\(message)")
        let onlyClean = try CLI.run(["audit", "-", "--findings-only"], stdin: Data((clean + "\n").utf8))
        #expect(onlyClean.status == 0 && onlyClean.output.isEmpty)
        // A line over --max-line-bytes is skipped unread, as one finding; the next is read.
        let long = "{\"id\": \"" + String(repeating: "x", count: 300_000) + "\"}"
        let limited = try CLI.run(["audit", "-", "--max-line-bytes", "100000"], stdin: Data("\(long)\n\(clean)\n\(long)".utf8))
        let limitedLines = try records(limited)
        #expect(limitedLines.map { $0["line"] as? Int } == [1, 2, 3])
        let tooLong = (limitedLines[0]["findings"] as? [[String: Any]])?.first?["message"] as? String ?? ""
        #expect(tooLong.contains("300010 bytes") && (limitedLines[1]["findings"] as? [Any])?.isEmpty == true, "\(tooLong)")
    }

    @Test func compressedFilesAndGlobs() throws {
        let directory = try CLI.temporaryDirectory()
        let plain = directory.appendingPathComponent("a.jsonl")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.turns), to: plain)
        let whole = try CLI.run(["audit", plain.path])
        for tool in ["gzip", "zstd"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool, "-k", "-q", plain.path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                Issue.record("\(tool) is not installed (scripts/setup --test-tools installs it)")
                continue
            }
            let compressed = plain.path + (tool == "gzip" ? ".gz" : ".zst")
            let result = try CLI.run(["audit", compressed])
            #expect(result.stdout == whole.stdout, "\(tool): \(result.stderr)")
            try FileManager.default.removeItem(atPath: compressed)
        }
        // Two files by a glob: each record names its file.
        try FileManager.default.copyItem(at: plain, to: directory.appendingPathComponent("b.jsonl"))
        let both = try CLI.run(["audit", directory.appendingPathComponent("*.jsonl").path])
        let lines = try records(both)
        #expect(lines.count == 300)
        #expect(lines.first?["file"] as? String == plain.path && (lines.last?["file"] as? String)?.hasSuffix("b.jsonl") == true)
        let missing = try CLI.run(["audit", directory.appendingPathComponent("none-*.jsonl").path])
        #expect(missing.status == 2 && missing.stderr.contains("no file matches"))
    }

    @Test func envelopeProtocolAndMergedSummaries() throws {
        let lines = try Data(contentsOf: URL(fileURLWithPath: Self.turns)).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        func envelope(_ index: Int) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: ["line": index + 1, "text": lines[index]]), as: UTF8.self)
        }
        var input = ""
        for index in 0..<60 { input += try envelope(index) + "\n" }
        input += "{\"summary\": true}\n"
        for index in 60..<150 { input += try envelope(index) + "\n" }
        let protocolRun = try CLI.run(["audit", "--jsonl"], stdin: Data(input.utf8))
        let output = protocolRun.output.split(separator: "\n").map(String.init)
        #expect(output.count == 152, "\(protocolRun.stderr)")
        #expect(output[60].hasPrefix("{\"summary\":") && output[151].hasPrefix("{\"summary\":"))
        let whole = try CLI.run(["audit", Self.turns])
        #expect((output[0..<60] + output[61..<151]).joined(separator: "\n") + "\n" == whole.output)

        let directory = try CLI.temporaryDirectory()
        var parts: [String] = []
        for (index, line) in [output[60], output[151]].enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = directory.appendingPathComponent("part-\(index).json").path
            try JSONSerialization.data(withJSONObject: try #require(object["summary"])).write(to: URL(fileURLWithPath: path))
            parts.append(path)
        }
        let merged = try CLI.run(["audit", "--merge-summaries"] + parts)
        let summary = directory.appendingPathComponent("whole.json").path
        _ = try CLI.run(["audit", Self.turns, "--summary", summary])
        #expect(merged.status == 0)
        #expect(merged.stdout == (try Data(contentsOf: URL(fileURLWithPath: summary))))
        let bad = try CLI.run(["audit", "--merge-summaries", Self.turns])
        #expect(bad.status == 2 && bad.stderr.contains("not an audit summary"))
    }

    @Test func htmlReportIsSelfContained() throws {
        let directory = try CLI.temporaryDirectory()
        let html = directory.appendingPathComponent("report.html").path
        let result = try CLI.run(["audit", Self.turns, "--html", html, "--inspector-url", "http://127.0.0.1:9"])
        #expect(result.status == 1)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg id=\"chart\"") && page.contains("id=\"worst\"") && page.contains("http://127.0.0.1:9/#turn="))
        #expect(!page.contains("<script src") && !page.contains("<link "))
    }

    @Test func badUsageExitsTwo() throws {
        #expect(try CLI.run(["audit", "/nonexistent/turns.jsonl"]).status == 2)
        #expect(try CLI.run(["audit", Self.turns, "--batch", "0"]).status == 2)
        #expect(try CLI.run(["audit", Self.turns, "--jsonl"]).status == 2)
        let envelope = try CLI.run(["audit", "--jsonl"], stdin: Data("{\"text\": 3}\n".utf8))
        #expect(envelope.status == 2 && envelope.stderr.contains("--jsonl reads"))
    }
}
