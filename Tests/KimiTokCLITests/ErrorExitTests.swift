import Foundation
import TestSupport
import Testing

/// Bad input: exit 2, one line on stderr naming the problem, nothing on stdout.
@Suite("errors exit 2 with a precise message", .needsVocabulary)
struct ErrorExitTests {
    func expectFailure(
        _ result: CLI.Result, mentioning parts: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "stdout: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(result.stderr.contains(part), "\(result.stderr) lacks \(part)", sourceLocation: sourceLocation)
        }
    }

    /// Issue 36, bug 12: nothing to check is bad input, not a stream without a generation prompt.
    @Test func emptyInputToCheckIsBadInput() throws {
        expectFailure(try CLI.run(["check", "--ids-file", "/dev/null"]), mentioning: ["no token IDs in input"])
        expectFailure(try CLI.run(["check", "--ids-file", "-"], stdin: Data("[]".utf8)), mentioning: ["no token IDs in input"])
        expectFailure(try CLI.run(["check", "--prompt-file", "/dev/null"]), mentioning: ["the prompt is empty"])
    }

    /// Issue 36, bug 1: a template that would crash the process (a value nested 50,000 deep,
    /// released recursively) exits 2 with the limit named.
    @Test func hostileTemplatesExitTwo() throws {
        let directory = try CLI.temporaryDirectory()
        let messages = directory.appendingPathComponent("messages.json")
        try Data(#"[{"role": "user", "content": "hi"}]"#.utf8).write(to: messages)
        for (template, words) in [
            ("{% set ns = namespace(l=[]) %}{% for i in range(50000) %}{% set ns.l = [ns.l] %}{% endfor %}", "nested deeper than 512 levels"),
            ("{{ '%0999999999d' | format(1) }}", "format width 999999999"),
        ] {
            let file = directory.appendingPathComponent("hostile.jinja")
            try Data(template.utf8).write(to: file)
            expectFailure(try CLI.run(["render", "--messages", messages.path, "--template", file.path]), mentioning: ["limit exceeded", words])
        }
    }

    @Test func invalidUTF8InFileNamesTheByteOffset() throws {
        let file = try CLI.temporaryDirectory().appendingPathComponent("bad.txt")
        try Data([0x68, 0x69, 0x20, 0xC3, 0x28]).write(to: file)
        expectFailure(try CLI.run(["encode", "--file", file.path]), mentioning: ["invalid UTF-8", "byte offset 3"])
        expectFailure(try CLI.run(["tokens"], stdin: Data([0x61, 0xFF])), mentioning: ["byte offset 1"])
    }

    @Test func invalidUTF8InArgumentsIsAnError() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$0\" encode \"$(printf 'ab\\377')\" 2>&1 >/dev/null", CLI.executable]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let message = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(message.contains("argument 2 is not valid UTF-8 (byte offset 2)"), "\(message)")
    }

    @Test func badIDsNamePositionAndValue() throws {
        expectFailure(try CLI.run(["decode", "1", "163842"]), mentioning: ["163842", "position 1"])
        expectFailure(try CLI.run(["decode", "--", "5", "-1"]), mentioning: ["position 1", "-1"])
        expectFailure(try CLI.run(["decode", "12", "x7"]), mentioning: ["position 1", "'x7'"])
        expectFailure(try CLI.run(["decode", "99999999999999999999"]), mentioning: ["position 0"])
        expectFailure(try CLI.run(["decode"], stdin: Data("[1, 2.5]".utf8)), mentioning: ["position 1", "2.5"])
        expectFailure(try CLI.run(["decode"], stdin: Data("[1, \"2\"]".utf8)), mentioning: ["position 1"])
        expectFailure(try CLI.run(["decode"], stdin: Data("[1, 2".utf8)), mentioning: ["JSON"])
    }

    @Test func usageErrorsExitTwoNotSixtyFour() throws {
        expectFailure(try CLI.run(["encode", "--bogus"]), mentioning: ["--bogus"])
        expectFailure(try CLI.run(["encode", "--mode", "fast", "x"]), mentioning: ["fast"])
        expectFailure(try CLI.run(["encode", "x", "--file", "/etc/hostname"]), mentioning: ["not both"])
    }

    @Test func missingInputFile() throws {
        expectFailure(try CLI.run(["encode", "--file", "/nonexistent/in.txt"]), mentioning: ["/nonexistent/in.txt"])
    }

    @Test func missingModelDirectoryIsNeverReplaced() throws {
        expectFailure(
            try CLI.run(["encode", "--model-dir", "/nonexistent/model", "x"]),
            mentioning: ["/nonexistent/model", "--model-dir"])
        expectFailure(
            try CLI.run(["encode", "x"], environment: ["KIMI_TOK_MODEL_DIR": "/nonexistent/env"]),
            mentioning: ["/nonexistent/env", "KIMI_TOK_MODEL_DIR"])
    }

    /// A copy of the shared vocabulary with `tiktoken.model` edited.
    func brokenModel(_ edit: (inout [Substring]) -> Void, config: String? = nil) throws -> String {
        let directory = try CLI.temporaryDirectory()
        let source = URL(fileURLWithPath: CLI.sharedVocabulary)
        let text = try String(contentsOf: source.appendingPathComponent("tiktoken.model"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        edit(&lines)
        try Data(lines.joined(separator: "\n").utf8).write(to: directory.appendingPathComponent("tiktoken.model"))
        let configData =
            try config.map { Data($0.utf8) }
            ?? Data(contentsOf: source.appendingPathComponent("tokenizer_config.json"))
        try configData.write(to: directory.appendingPathComponent("tokenizer_config.json"))
        return directory.path
    }

    @Test func truncatedVocabularyIsAnError() throws {
        let model = try brokenModel { $0 = Array($0.prefix(100_000)) + [$0[100_000].prefix(5)] }
        expectFailure(try CLI.run(["encode", "--model-dir", model, "x"]), mentioning: ["tiktoken.model:100001"])
    }

    @Test func brokenLinesNameTheLine() throws {
        let badBase64 = try brokenModel { $0[41] = "@@@@ 41" }
        expectFailure(try CLI.run(["encode", "--model-dir", badBase64, "x"]), mentioning: ["tiktoken.model:42", "base64"])
        let duplicateToken = try brokenModel { $0[300] = $0[299].split(separator: " ")[0] + " 300" }
        expectFailure(try CLI.run(["encode", "--model-dir", duplicateToken, "x"]), mentioning: ["tiktoken.model:301", "line 300"])
        let duplicateRank = try brokenModel { $0[300] = $0[300].split(separator: " ")[0] + " 299" }
        expectFailure(try CLI.run(["encode", "--model-dir", duplicateRank, "x"]), mentioning: ["duplicate rank 299"])
        let missingRank = try brokenModel { $0.remove(at: 500) }
        expectFailure(try CLI.run(["encode", "--model-dir", missingRank, "x"]), mentioning: ["rank 500 is missing"])
    }

    @Test func unknownVocabularyWarnsAndStrictRefuses() throws {
        let model = try brokenModel { $0.removeLast(2) }  // a valid file, one rank short of Kimi K2
        let relaxed = try CLI.run(["encode", "--model-dir", model, "hello"])
        #expect(relaxed.status == 0)
        #expect(relaxed.stderr.contains("warning") && relaxed.stderr.contains("unknown vocabulary"))
        expectFailure(
            try CLI.run(["encode", "--strict", "--model-dir", model, "hello"]),
            mentioning: ["unknown vocabulary", "strict"])
    }

    @Test func configProblemsAreErrors() throws {
        let noDecoder = try brokenModel({ _ in }, config: #"{"bos_token": "[BOS]"}"#)
        expectFailure(try CLI.run(["encode", "--model-dir", noDecoder, "x"]), mentioning: ["added_tokens_decoder"])
        let notJSON = try brokenModel({ _ in }, config: "{not json")
        expectFailure(try CLI.run(["encode", "--model-dir", notJSON, "x"]), mentioning: ["tokenizer_config.json", "JSON"])
        let missing = try brokenModel { _ in }
        try FileManager.default.removeItem(atPath: missing + "/tokenizer_config.json")
        expectFailure(try CLI.run(["encode", "--model-dir", missing, "x"]), mentioning: ["tokenizer_config.json"])
    }
}
