import Foundation
import KimiFuzzing
import TestSupport
import Testing

/// Every input a fuzz target ever failed on, saved under `Fuzz/Regressions/TARGET/`, replayed
/// through the target's properties without libFuzzer.
@Suite(.needsVocabulary) struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions")

    static let fixtures = Result { try FuzzFixtures.load(modelDirectory: TestEnvironment.vocabularyDirectory) }

    static func inputs(_ target: FuzzTarget) -> [URL] {
        let folder = regressions.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func savedInputsHold(_ target: FuzzTarget) throws {
        let fixtures = try Self.fixtures.get()
        let inputs = Self.inputs(target)
        for input in inputs {
            let bytes = try Data(contentsOf: input)
            do {
                try bytes.withUnsafeBytes { try target.run($0, fixtures: fixtures) }
            } catch {
                Issue.record("\(input.lastPathComponent): \(error)")
            }
        }
    }

    /// One realistic input per target, so that each property runs even with no saved input.
    @Test(arguments: [
        (FuzzTarget.encode, "Hello, world!  It's 2026: 你好 🙂\u{301} <|im_end|> \t\n\n 12345"),
        (.decode, "[163586, 9906, 11, 1917, 163585]"),
        (
            .json,
            #"{"messages": [{"role": "assistant", "content": "", "tool_calls": [{"id": "search:2", "type": "function", "function": {"name": "search", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "search:2", "content": "ok"}]}"#
        ),
        (.template, "{%- for m in messages -%}{{ m.role }}:{{ m.content | tojson }}{% if not loop.last %}\n{% endif %}{%- endfor -%}"),
        (
            .toolCalls,
            "Sure.<|tool_calls_section_begin|><|tool_call_begin|>functions.search:0<|tool_call_argument_begin|>{\"query\": \"x\"}<|tool_call_end|><|tool_calls_section_end|>"
        ),
    ])
    func exampleInputHolds(_ target: FuzzTarget, _ input: String) throws {
        let fixtures = try Self.fixtures.get()
        try Array(input.utf8).withUnsafeBytes { try target.run($0, fixtures: fixtures) }
    }
}
