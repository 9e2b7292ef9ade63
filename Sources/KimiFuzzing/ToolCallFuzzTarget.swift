import KimiChatTemplate
import KimiInspector

/// Arbitrary model output: the tool-call parser gives the same events however the text is cut
/// into chunks, the report and the prompt checker take any text without failing, and so does
/// every engine's output parser in every recorded set-up, with its findings.
struct ToolCallFuzzTarget {
    let fixtures: FuzzFixtures

    func run(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        let text = String(decoding: bytes, as: UTF8.self)
        let whole = Self.merged(ToolCallStreamParser.parse(text))
        var parser = ToolCallStreamParser()
        var events: [ToolCallStreamParser.Event] = []
        for chunk in Self.chunks(of: text, seed: bytes.count) { events += parser.feed(chunk) }
        events += parser.finish()
        guard Self.merged(events) == whole else {
            throw violation("chunked parsing differs from parsing in one go")
        }
        let report = ToolCallReport(output: text, tools: fixtures.tools)
        guard report.summary.calls == report.calls.count,
            report.summary.valid == report.calls.filter(\.valid).count
        else {
            throw violation("the report summary does not count its calls")
        }
        do {
            _ = try fixtures.checker.check(prompt: text)
        } catch {
            throw violation("check failed on text: \(error)")
        }
        try checkEngineParsers(text, report: report)
    }

    /// Each engine parser answers any output in the set-ups it was recorded in, without
    /// throwing, and its findings against kimi-tok's reading compute.
    private func checkEngineParsers(_ text: String, report: ToolCallReport) throws(FuzzInvariantViolation) {
        let parsers: [(any EngineOutputParser, streamings: [Bool], reasoning: [Bool])] = [
            (VLLMKimiK2OutputParser(), [false, true], [false, true]), (VLLMKimiK3OutputParser(), [false, true], [false, true]),
            (SGLangKimiK2OutputParser(), [false], [true]), (LlamaCppKimiK2OutputParser(), [false], [false]),
        ]
        for (parser, streamings, reasonings) in parsers {
            for streaming in streamings {
                for reasoning in reasonings {
                    for tools in [fixtures.tools, nil] {
                        var context = EngineResponseContext(tools: tools, reasoningParser: reasoning)
                        context.streaming = streaming
                        do {
                            let response = try parser.response(to: text, context)
                            _ = EngineResponseFindings.findings(response, output: text, report: report, parser: parser, context: context)
                        } catch {
                            throw violation("\(parser.displayName) (streaming \(streaming), reasoning \(reasoning)) threw: \(error)")
                        }
                    }
                }
            }
        }
    }

    /// Cuts at pseudo-random Unicode scalar offsets, including inside markers and between a
    /// character and its combining marks.
    static func chunks(of text: String, seed: Int) -> [String] {
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        var chunks: [String] = []
        let scalars = Array(text.unicodeScalars)
        var start = 0
        while start < scalars.count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let end = min(scalars.count, start + Int(state % 7) + 1)
            var chunk = String.UnicodeScalarView()
            chunk.append(contentsOf: scalars[start..<end])
            chunks.append(String(chunk))
            start = end
        }
        return chunks
    }

    /// Joins adjacent content events, whose boundaries depend on the chunking.
    static func merged(_ events: [ToolCallStreamParser.Event]) -> [ToolCallStreamParser.Event] {
        var result: [ToolCallStreamParser.Event] = []
        for event in events {
            if case let .content(text) = event {
                if text.isEmpty { continue }
                if case let .content(previous)? = result.last {
                    result[result.count - 1] = .content(previous + text)
                    continue
                }
            }
            result.append(event)
        }
        return result
    }

    private func violation(_ message: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(.toolCalls, message)
    }
}
