import KimiChatTemplate
import KimiIO
import KimiInspector
import Testing

@Suite("Tool-call parsing and validation")
struct ToolCallParsingTests {
    static let output =
        "Let me check.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_call_begin|>functions.search:1<|tool_call_argument_begin|>{\"q\": \"news\"}<|tool_call_end|><|tool_calls_section_end|>"

    static let tools: [Value] = {
        let json = #"""
            [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
               "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
                              "days": {"type": "array", "items": {"type": "integer"}}, "opts": {"type": "object", "properties": {"x": {"type": "boolean"}}, "additionalProperties": false}},
               "required": ["city"], "additionalProperties": false}}},
             {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]
            """#
        guard case let .list(box) = try? JSONReader.parseValue(Array(json.utf8)) else { return [] }
        return box.items
    }()

    @Test func validOutputParses() {
        let report = ToolCallReport(output: Self.output, tools: Self.tools)
        #expect(report.content == "Let me check.")
        #expect(report.calls.map(\.id) == ["functions.get_weather:0", "functions.search:1"])
        #expect(report.calls.map(\.name) == ["get_weather", "search"])
        #expect(report.summary == ToolCallReport.Summary(calls: 2, valid: 2))
        #expect(report.malformed.isEmpty)
    }

    /// Outputs whose events must not depend on where the stream is cut: stray text inside a
    /// section, a broken marker, a marker followed by a combining mark.
    static let streamedOutputs = [
        output,
        "Let me check.<|tool_calls_section_be<|tool_calls_section_begin|>tions.get_weather:0<|tool_call_argument_begin|>{",
        "<|tool_calls_section_begin|>\u{301}<|tool_call_begin|>functions.search:0<|tool_call_argument_begin|>{}<|tool_call_end|>\u{301}x<|tool_calls_section_end|>e\u{301}",
    ]

    @Test("streaming in chunks of any size gives the same events", arguments: [1, 2, 3, 5, 7, 13, 64])
    func incremental(chunkSize: Int) {
        for output in Self.streamedOutputs {
            var parser = ToolCallStreamParser()
            var events: [ToolCallStreamParser.Event] = []
            let scalars = Array(output.unicodeScalars)
            for start in stride(from: 0, to: scalars.count, by: chunkSize) {
                var chunk = String.UnicodeScalarView()
                chunk.append(contentsOf: scalars[start..<min(scalars.count, start + chunkSize)])
                events += parser.feed(String(chunk))
            }
            events += parser.finish()
            // Content may arrive in pieces; join adjacent content events before comparing.
            var joined: [ToolCallStreamParser.Event] = []
            for event in events {
                if case let .content(text) = event, case let .content(previous)? = joined.last {
                    joined[joined.count - 1] = .content(previous + text)
                } else {
                    joined.append(event)
                }
            }
            #expect(joined == ToolCallStreamParser.parse(output), "\(output)")
        }
    }

    @Test func markersAreFoundBeforeCombiningMarks() {
        let events = ToolCallStreamParser.parse(Self.streamedOutputs[2])
        #expect(events.contains(.call(id: "functions.search:0", arguments: "{}", complete: true)))
        #expect(events.last == .content("e\u{301}"))
        #expect(events.filter { if case .malformed = $0 { true } else { false } }.count == 2)
    }

    @Test func schemaViolationsHallucinationsAndBadIDs() {
        let output =
            "<|tool_calls_section_begin|>"
            + "<|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": 3, \"unit\": \"k\", \"days\": [1, \"2\"], \"opts\": {\"y\": 1}, \"extra\": true}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.get_weather:1<|tool_call_argument_begin|>{}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.book_flight:2<|tool_call_argument_begin|>{\"to\": \"x\"}<|tool_call_end|>"
            + "<|tool_call_begin|>search:3<|tool_call_argument_begin|>{\"q\": \"a\"}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.search:4<|tool_call_argument_begin|>{not json}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.search:5<|tool_call_argument_begin|>[1]<|tool_call_end|>"
            + "<|tool_calls_section_end|>"
        let report = ToolCallReport(output: output, tools: Self.tools)
        let problems = report.calls.map { $0.problems.map(\.message) }
        #expect(
            problems[0] == [
                "$.city: expected string, found integer", "$.unit: 'k' is not one of 'c', 'f'",
                "$.days[1]: expected integer, found string",
                "$.opts: property 'y' is not allowed (additionalProperties: false)",
                "$: property 'extra' is not allowed (additionalProperties: false)",
            ])
        #expect(problems[1] == ["$: missing required property 'city'"])
        #expect(report.calls[2].problems.map(\.code) == ["undeclared-tool"])
        #expect(report.calls[3].problems.map(\.code) == ["invalid-id"])
        #expect(report.calls[4].problems.map(\.code) == ["invalid-json"])
        #expect(report.calls[5].problems.map(\.code) == ["invalid-arguments"])
        #expect(report.summary == ToolCallReport.Summary(calls: 6, valid: 0, invalidID: 1, undeclared: 1, invalidJSON: 2, schemaErrors: 2, truncated: 0))
    }

    @Test func aToolDeclaredWithoutParametersIsDeclared() throws {
        let json = #"[{"type": "function", "function": {"name": "now"}}]"#
        guard case let .list(tools) = try JSONReader.parseValue(Array(json.utf8)) else {
            Issue.record("the tools are not a JSON list")
            return
        }
        let output = "<|tool_calls_section_begin|><|tool_call_begin|>functions.now:0<|tool_call_argument_begin|>{}<|tool_call_end|><|tool_calls_section_end|>"
        let report = ToolCallReport(output: output, tools: tools.items)
        #expect(report.calls.map(\.problems) == [[]])
        #expect(report.summary == ToolCallReport.Summary(calls: 1, valid: 1))
    }

    @Test func malformedAndTruncatedNeverCrash() {
        let cases = [
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.search:0<|tool_call_argument_begin|>{\"q\": ",
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.search:0",
            "<|tool_calls_section_begin|>",
            "<|tool_call_begin|>x<|tool_call_argument_begin|>{}<|tool_call_end|>",
            "<|tool_call_end|><|tool_calls_section_end|><|tool_call_argument_begin|>",
            "<|tool_calls_section_begin|>stray<|tool_calls_section_begin|><|tool_call_begin|>a<|tool_call_end|>",
            "<|tool_calls_sect", "<|", "",
        ]
        for output in cases {
            let report = ToolCallReport(output: output, tools: Self.tools)
            let truncated = output.hasPrefix("<|tool_calls_section_begin|><|tool_call_begin|>")
            if truncated { #expect(report.calls.first?.problems.map(\.code).contains("truncated") == true, "\(output)") }
            if output.count > 3 { #expect(!report.malformed.isEmpty || report.calls.contains { !$0.valid }, "\(output)") }
        }
        #expect(ToolCallReport(output: "<|tool_calls_sect", tools: nil).content == "<|tool_calls_sect")
    }
}
