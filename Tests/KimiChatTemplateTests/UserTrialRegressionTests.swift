import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import Testing

/// Regressions from the user trial (issue 25) in the template and JSON layers; each failed on
/// the code before its fix.
@Suite("User-trial regressions: templates and JSON")
struct TemplateRegressionTests {
    func render(_ source: String) throws -> String {
        let request = try ChatRequest.read(messagesJSON: Array(#"[{"role": "user", "content": "hi"}]"#.utf8))
        return try ChatRenderer(template: Template(source: source, name: "t.jinja")).render(request)
    }

    /// Bug 1: repetition, concatenation and joins check the size before allocating.
    @Test(arguments: [
        "{{ [1] * 10**10 }}", "{{ \"ab\" * 10**10 }}", "{{ \"a\" * 10**9 }}", "{{ 10**10 * [1] }}",
        "{% set s = 'x' * 40000000 %}{{ s ~ s }}", "{% set s = 'x' * 40000000 %}{{ s + s }}",
        "{% set l = [1] * 5000000 %}{{ (l + l) | length }}", "{{ ['x' * 40000000, 'y' * 40000000] | join }}",
        "{{ ', '.join(['x' * 40000000, 'y' * 40000000]) }}", "{{ 1 ** 1000000000000000000 }}{{ 'a' * (2**62) }}",
    ])
    func hugeValuesAreRefusedBeforeTheyAreBuilt(source: String) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try render(source)
            Issue.record("\(source) rendered")
        } catch let error as TemplateError {
            #expect(error.kind == .limit, "\(error)")
            #expect(error.description.contains("limit exceeded"))
        } catch {
            Issue.record("\(error)")
        }
        #expect(clock.now - start < .seconds(5), "refused before the work, not after")
    }

    @Test func valuesBelowTheLimitsStillWork() throws {
        #expect(try render("{{ ('ab' * 3) ~ ([0] * 2) | length }}") == "ababab2")
        #expect(try render("{{ 1 ** 1000000000000000000 }}|{{ 0 ** 5 }}|{{ (-1) ** 3 }}|{{ 2 ** 62 }}") == "1|0|-1|4611686018427387904")
        // Python integers have no bound: beyond 64 bits they go on, up to the digits limit.
        #expect(
            try render("{{ 2 ** 63 }}|{{ -(2 ** 63) - 1 }}|{{ 99999999999999999999 // 7 }}") == "9223372036854775808|-9223372036854775809|14285714285714285714")
        #expect(throws: TemplateError.self) { try render("{{ 2 ** 1000000000 }}") }
        #expect(throws: TemplateError.self) { try render("{{ (10 ** 60000) * (10 ** 60000) }}") }
    }

    /// Bug 11: a JSON error names the real character (not the Latin-1 reading of its first
    /// byte), and a byte order mark by name.
    @Test func jsonErrorsNameTheRealCharacter() {
        do {
            _ = try JSONReader.parse(Array("[é]".utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.message.contains("'é' (U+00E9)"), "\(error)")
            #expect(!error.message.contains("Ã"))
        }
        do {
            _ = try JSONReader.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.message.contains("byte order mark"), "\(error)")
        }
    }

    /// Gap: variables the renderer sets itself are refused; tools given twice are refused.
    @Test func reservedVariablesAndToolsTwice() throws {
        let request = try ChatRequest.read(messagesJSON: Array(#"[{"role": "user", "content": "hi"}]"#.utf8))
        let renderer = ChatRenderer(template: try Template(source: "{{ messages | length }}", name: "t"))
        #expect(throws: KimiError.self) { try renderer.render(request, variables: ["messages": .list([])]) }
        #expect(throws: KimiError.self) { try renderer.render(request, variables: ["add_generation_prompt": .bool(false)]) }
        #expect(try renderer.render(request, variables: ["thinking": .bool(false)]) == "1")
        #expect(throws: KimiError.self) {
            try ChatRequest.read(
                messagesJSON: Array(#"{"messages": [], "tools": [{"type": "function"}]}"#.utf8),
                toolsJSON: Array("[]".utf8))
        }
    }
}

/// Named chat templates: `tool_use` when the request has tools, as transformers picks.
@Suite("Named chat templates")
struct NamedTemplateTests {
    @Test func toolUseIsPickedWhenToolsAreGiven() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-named-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config =
            #"{"added_tokens_decoder": {"163586": {"content": "<|im_end|>"}}, "chat_template": [{"name": "default", "template": "D{{ messages | length }}"}, {"name": "tool_use", "template": "T{{ tools | length }}"}]}"#
        try Data(config.utf8).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let renderer = try ChatRenderer(modelDirectory: ModelDirectory(path: directory.path, source: .option))
        let plain = try ChatRequest.read(messagesJSON: Array(#"[{"role": "user", "content": "hi"}]"#.utf8))
        #expect(try renderer.render(plain) == "D1")
        let withTools = try ChatRequest.read(messagesJSON: Array(#"{"messages": [{"role": "user", "content": "hi"}], "tools": []}"#.utf8))
        #expect(try renderer.render(withTools) == "T0")
    }
}
