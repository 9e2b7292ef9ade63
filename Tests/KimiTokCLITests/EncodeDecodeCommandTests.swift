import Foundation
import TestSupport
import Testing

@Suite("encode, decode and tokens commands", .needsVocabulary)
struct EncodeDecodeCommandTests {
    @Test func encodeTextArgument() throws {
        let result = try CLI.run(["encode", "Hello <|im_end|> world"])
        #expect(result.status == 0)
        #expect(result.output == "19180 220 163586 2695\n")
    }

    /// The first run writes the vocabulary cache, later runs use it, and a damaged cache or no
    /// cache at all gives the same IDs.
    @Test func vocabularyCacheIsWrittenUsedAndNeverTrustedBlindly() throws {
        let directory = try CLI.temporaryDirectory()
        let cache = directory.appendingPathComponent("cache")
        let text = "Hello 世界, 一二三四五六七八九十 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        let expected = try CLI.run(["encode", text], environment: ["KIMI_TOK_CACHE_DIR": "off"])
        #expect(expected.status == 0)
        let first = try CLI.run(["encode", text], environment: ["KIMI_TOK_CACHE_DIR": cache.path])
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(files.count == 1 && files[0].hasPrefix("vocabulary-b6c497a7469b33ced9c38afb1ad6e47f03f5e5dc05f15930799210ec050c5103.v"))
        let second = try CLI.run(["encode", text], environment: ["KIMI_TOK_CACHE_DIR": cache.path])
        let file = cache.appendingPathComponent(files[0])
        var damaged = try Data(contentsOf: file)
        damaged[damaged.count / 2] ^= 0x40
        try damaged.write(to: file)
        let afterDamage = try CLI.run(["encode", text], environment: ["KIMI_TOK_CACHE_DIR": cache.path])
        #expect([first, second, afterDamage].allSatisfy { $0.status == 0 && $0.stdout == expected.stdout && $0.stderr.isEmpty })
        #expect(try Data(contentsOf: file) != damaged)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func benchReportsThroughputAndLoadTimes() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("in.txt")
        let text = "Hello 世界, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        try Data(text.utf8).write(to: file)
        let count = try CLI.run(["encode", "--count", "--file", file.path]).output
        let encode = try CLI.run(["bench", "--file", file.path, "--json", "--runs", "2", "--seconds", "0"])
        let throughput = try #require(try JSONSerialization.jsonObject(with: encode.stdout) as? [String: Any])
        #expect(encode.status == 0)
        #expect("\(throughput["count"] as? Int ?? -1)\n" == count)
        #expect(throughput["bytes"] as? Int == text.utf8.count)
        #expect((throughput["runs"] as? Int ?? 0) >= 2 && (throughput["mb_per_s"] as? Double ?? 0) > 0)
        let load = try CLI.run(["bench", "--load", "--json", "--runs", "1"])
        let times = try #require(try JSONSerialization.jsonObject(with: load.stdout) as? [String: Any])
        #expect(load.status == 0 && times["runs"] as? Int == 1)
        #expect((times["cached_seconds"] as? Double ?? 0) > 0 && (times["parsed_seconds"] as? Double ?? 0) > 0)
        for arguments in [["bench"], ["bench", "--load", "--file", file.path]] {
            let refused = try CLI.run(arguments)
            #expect(refused.status == 2 && refused.stderr.contains("exactly one of --file and --load"))
        }
    }

    @Test func encodeModes() throws {
        #expect(try CLI.run(["encode", "--mode", "ordinary", "<|im_end|>"]).output.split(separator: " ").count > 1)
        #expect(try CLI.run(["encode", "--mode", "tiktoken", "<|im_end|>"]).output == "163586\n")
    }

    @Test func encodeFileStdinJSONAndCount() throws {
        let directory = try CLI.temporaryDirectory()
        let file = directory.appendingPathComponent("in.txt")
        try Data("你好, Kimi!".utf8).write(to: file)
        let fromFile = try CLI.run(["encode", "--file", file.path, "--json"])
        let object = try JSONSerialization.jsonObject(with: fromFile.stdout) as? [String: Any]
        let ids = try #require(object?["ids"] as? [Int])
        #expect(object?["count"] as? Int == ids.count)
        let fromStdin = try CLI.run(["encode", "--json"], stdin: Data("你好, Kimi!".utf8))
        #expect(fromStdin.stdout == fromFile.stdout)
        #expect(try CLI.run(["encode", "--count"], stdin: Data("你好, Kimi!".utf8)).output == "\(ids.count)\n")
        #expect(try CLI.run(["encode", "--count", "--json", "--file", file.path]).output == "{\"count\":\(ids.count)}\n")
    }

    @Test func decodeFromArgumentsFileAndStdin() throws {
        #expect(try CLI.run(["decode", "19180", "220", "163586"]).output == "Hello <|im_end|>")
        #expect(try CLI.run(["decode", "19180,220"]).output == "Hello ")
        #expect(try CLI.run(["decode"], stdin: Data("[19180, 220, 163586]".utf8)).output == "Hello <|im_end|>")
        #expect(try CLI.run(["decode"], stdin: Data("19180, 220\n163586".utf8)).output == "Hello <|im_end|>")
    }

    @Test func decodeJSONKeepsExactBytesOfCutCharacters() throws {
        // 13271 254: a space and the first two bytes of U+180E; the third byte is token 236.
        let result = try CLI.run(["decode", "--json", "13271", "254"])
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(object["text"] as? String == " \u{FFFD}")
        #expect(object["bytes_hex"] as? [String] == ["20e1", "a0"])
        #expect(object["valid_utf8"] as? Bool == false)
    }

    @Test func tokensShowsEscapedPiecesAndSpecialTokens() throws {
        let result = try CLI.run(["tokens", "--color", "never", "a b\n<|im_end|>"])
        #expect(result.status == 0)
        #expect(result.output.contains("␣b"))
        #expect(result.output.contains("\\n"))
        #expect(result.output.contains("163586  «<|im_end|>»"))
        #expect(!result.output.contains("\u{1B}["))
        #expect(try CLI.run(["tokens", "--color", "always", "<|im_end|>"]).output.contains("\u{1B}[1;35m"))
        #expect(!(try CLI.run(["tokens", "<|im_end|>"]).output.contains("\u{1B}[")), "auto: not a terminal")
    }

    @Test func tokensJSON() throws {
        let result = try CLI.run(["tokens", "--json", "Hi<|im_end|>"])
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let tokens = try #require(object["tokens"] as? [[String: Any]])
        #expect(tokens.last?["id"] as? Int == 163586)
        #expect(tokens.last?["special"] as? Bool == true)
        #expect(tokens.first?["bytes_hex"] as? String == "4869")
    }
}

@Suite("encode --jsonl", .needsVocabulary)
struct EncodeJSONLTests {
    @Test func recordsInOrderOnAllCores() throws {
        let texts = (0..<300).map { "record \($0): " + String(repeating: "你好 world ", count: $0 % 17) }
        var lines = texts.enumerated().map { index, text in
            index % 3 == 0 ? "\"\(text)\"" : "{\"id\": \(index), \"body\": \"\(text)\", \"text\": \"\(text)\"}"
        }
        lines.insert("", at: 5)
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        let result = try CLI.run(["encode", "--jsonl", "-"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let outputs = result.output.split(separator: "\n")
        #expect(outputs.count == texts.count)
        for index in [0, 1, 2, 150, 299] {
            let single = try CLI.run(["encode", "--json", texts[index]])
            let ids = try #require(try JSONSerialization.jsonObject(with: single.stdout) as? [String: Any])["ids"] as? [Int]
            #expect(String(outputs[index]) == "{\"ids\":[" + (ids ?? []).map(String.init).joined(separator: ",") + "]}")
        }
        let counts = try CLI.run(
            ["encode", "--jsonl", "-", "--count", "--field", "body", "--threads", "2"],
            stdin: Data(lines.filter { $0.hasPrefix("{") }.joined(separator: "\n").utf8))
        #expect(counts.status == 0 && counts.output.hasPrefix("{\"count\":"))
    }

    @Test func fileIsReadLikeStdinAndIDsAreExact() throws {
        // "!" is ID 0; long records give IDs of every width up to six digits.
        let texts = ["!", "!!!!", "<|im_end|>", "Hello, Kimi! 你好"] + (0..<200).map { "record \($0) " + String(repeating: "数据 data ", count: $0) }
        let lines = texts.map { "{\"text\": \"\($0)\"}" }
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("records.jsonl")
        try Data((lines.joined(separator: "\n")).utf8).write(to: url)
        let fromFile = try CLI.run(["encode", "--jsonl", url.path, "--threads", "2"])
        let fromStdin = try CLI.run(["encode", "--jsonl", "-", "--threads", "1"], stdin: try Data(contentsOf: url))
        #expect(fromFile.status == 0 && fromFile.stdout == fromStdin.stdout, "\(fromFile.stderr)")
        let outputs = fromFile.output.split(separator: "\n")
        try #require(outputs.count == texts.count)
        #expect(outputs[0] == "{\"ids\":[0]}")
        for index in [1, 2, 3, 100, 203] {
            let single = try CLI.run(["encode", "--json", texts[index]])
            let record = try #require(try JSONSerialization.jsonObject(with: single.stdout) as? [String: Any])
            let line = try #require(try JSONSerialization.jsonObject(with: Data(outputs[index].utf8)) as? [String: Any])
            #expect(line["ids"] as? [Int] == record["ids"] as? [Int])
        }
        let empty = directory.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let none = try CLI.run(["encode", "--jsonl", empty.path])
        #expect(none.status == 0 && none.stdout.isEmpty)
        let folder = try CLI.run(["encode", "--jsonl", directory.path])
        #expect(folder.status == 2 && folder.stderr.contains("it is a directory") && folder.stdout.isEmpty)
    }

    @Test func recordsOverManyChunksKeepTheirOrderAndLineNumbers() throws {
        // About 1.5 MB, cut into chunks of whole lines that the workers split into records
        // themselves; a blank line and CRLF endings on the way.
        let texts = ["Hello, Kimi!", "你好，世界", "Привет, мир", "def f(x): return x", "😀 emoji", "<|im_end|>", "  spaced  "]
        var lines = (0..<40_000).map { "{\"id\": \($0), \"text\": \"\(texts[$0 % texts.count])\"}" + ($0 % 3 == 0 ? "\r" : "") }
        lines.insert("", at: 20_000)
        let result = try CLI.run(["encode", "--jsonl", "-", "--threads", "2"], stdin: Data(lines.joined(separator: "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let outputs = result.output.split(separator: "\n")
        try #require(outputs.count == 40_000)
        for (index, text) in texts.enumerated() {
            let single = try CLI.run(["encode", "--json", text])
            let ids = try #require(try JSONSerialization.jsonObject(with: single.stdout) as? [String: Any])["ids"] as? [Int]
            let expected = "{\"ids\":[" + (ids ?? []).map(String.init).joined(separator: ",") + "]}"
            let wrong = stride(from: index, to: outputs.count, by: texts.count).filter { outputs[$0] != expected }
            #expect(wrong.isEmpty, "records \(wrong.prefix(5)) of text \(index)")
        }
        // Record 30,000 is on line 30,002 (after the blank line), in a chunk far from the first.
        lines[30_001] = "{\"text\": 5}"
        let bad = try CLI.run(["encode", "--jsonl", "-", "--threads", "2"], stdin: Data(lines.joined(separator: "\n").utf8))
        #expect(bad.status == 2 && bad.stderr.contains("line 30002: no string field 'text'") && bad.stdout.isEmpty, "\(bad.stderr)")
    }

    @Test func badRecordsNameTheLine() throws {
        let bad = try CLI.run(["encode", "--jsonl", "-"], stdin: Data("{\"text\": \"a\"}\n{\"text\": 5}\n".utf8))
        #expect(bad.status == 2 && bad.stderr.contains("line 2: no string field 'text'") && bad.stdout.isEmpty)
        let malformed = try CLI.run(["encode", "--jsonl", "-"], stdin: Data("{\"text\": \"a\"}\n\n{oops\n".utf8))
        #expect(malformed.status == 2 && malformed.stderr.contains("line 3"))
    }
}

@Suite("encode --file streams in hf mode", .needsVocabulary)
struct StreamingEncodeTests {
    /// Seeded text of `characters` characters from words of several scripts, spaces and line
    /// breaks: long enough to cross the 400,000-character chunks of the HF class.
    static func mixedText(characters: Int, seed: UInt64 = 0x5EED) -> String {
        let words = ["天气", "红楼梦", "的", "hello", " world", "\n", "  ", "Привет", "🙂", "42", "'s", "ニャ", "한국어", ",", "。", "\n\n", "x"]
        var state = seed
        var text = ""
        var count = 0
        while count < characters {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let word = words[Int((state >> 33) % UInt64(words.count))]
            text += word
            count += word.count
        }
        return text
    }

    static func write(_ text: String, _ name: String) throws -> URL {
        let url = try CLI.temporaryDirectory().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func streamedFileGivesTheIDsOfTheWholeText() throws {
        // 1.3 million characters: four 400,000-character chunks read one at a time.
        let path = try Self.write(Self.mixedText(characters: 1_300_000), "mixed.txt").path
        let streamed = try CLI.run(["encode", "--json", "--file", path])
        let whole = try CLI.run(["encode", "--json"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(streamed.status == 0 && whole.status == 0)
        let a = try JSONSerialization.jsonObject(with: streamed.stdout) as? [String: Any]
        let b = try JSONSerialization.jsonObject(with: whole.stdout) as? [String: Any]
        #expect((a?["ids"] as? [Int]) == (b?["ids"] as? [Int]))
        let count = try #require(a?["count"] as? Int)
        #expect(count > 300_000)
        #expect(try CLI.run(["encode", "--count", "--file", path]).output == "\(count)\n")
        let text = try CLI.run(["encode", "--file", path]).output
        #expect(text.split(separator: " ").count == count)
    }

    @Test func hundredMegabyteFileStreamsInBoundedMemory() throws {
        let book = Data(Self.mixedText(characters: 700_000).utf8)
        let url = try CLI.temporaryDirectory().appendingPathComponent("100MB.txt")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let file = try FileHandle(forWritingTo: url)
        for _ in 0..<(100_000_000 / book.count + 1) { file.write(book) }
        try file.close()
        let streamed = try CLI.runMeasuringPeakMemory(["encode", "--count", "--file", url.path])
        #expect(streamed.result.status == 0)
        // A sanitizer's shadow memory and quarantine dwarf the bound; scripts/sanitize says so.
        if ProcessInfo.processInfo.environment["KIMI_TOK_SANITIZER"] == nil {
            #expect(streamed.peakKilobytes > 0 && streamed.peakKilobytes < 100_000, "peak RSS \(streamed.peakKilobytes) kB")
        }
        // The whole text read from stdin (in memory) gives the same count.
        let whole = try CLI.run(["encode", "--count"], stdin: try Data(contentsOf: url))
        #expect(whole.status == 0 && streamed.result.output == whole.output)
    }

    @Test func emptyInputIsZeroTokensOrAClearError() throws {
        let empty = try CLI.temporaryDirectory().appendingPathComponent("empty")
        try Data().write(to: empty)
        #expect(try CLI.run(["encode", ""]).output == "\n")
        #expect(try CLI.run(["encode", "--count"]).output == "0\n")
        #expect(try CLI.run(["encode", "--count", "--file", empty.path]).output == "0\n")
        #expect(try CLI.run(["encode", "--json", "--file", empty.path]).output == #"{"ids":[],"count":0,"mode":"hf"}"# + "\n")
        let decoded = try CLI.run(["decode"])
        #expect(decoded.status == 0 && decoded.output.isEmpty)
        #expect(try CLI.run(["parse-tool-calls", "--file", empty.path]).status == 0)
        let render = try CLI.run(["render", "--messages", empty.path])
        #expect(render.status == 2 && render.stdout.isEmpty && render.stderr.contains("unexpected end of input"))
    }

    @Test func invalidUTF8LateInTheFileWritesNothing() throws {
        var data = Data(Self.mixedText(characters: 1_000_000, seed: 7).utf8)
        data.append(contentsOf: [0x20, 0xE4, 0xB8, 0x41])
        let url = try CLI.temporaryDirectory().appendingPathComponent("late.txt")
        try data.write(to: url)
        let result = try CLI.run(["encode", "--file", url.path])
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(result.stderr.contains("byte offset \(data.count - 3)"))
    }
}
