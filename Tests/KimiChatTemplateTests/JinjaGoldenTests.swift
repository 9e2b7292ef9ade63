import Foundation
import KimiChatTemplate
import KimiIO
import Testing

/// The Jinja interpreter against jinja2's answers, committed as a golden file
/// (`Fixtures/jinja-snippets.json`: each snippet with the output jinja2 printed, or the error it
/// raised), so the interpreter can be changed and checked without the Python stack. The oracle
/// suite (`JinjaParityTests`) keeps the file in step with jinja2.
@Suite("Jinja golden snippets")
struct JinjaGoldenTests {
    struct Case: Sendable {
        let template: String
        /// `nil` when jinja2 raised.
        let output: String?
    }

    static let fixture: (messages: [UInt8], cases: [Case]) = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/jinja-snippets.json")
        guard let data = try? Data(contentsOf: url), let root = try? JSONReader.parse([UInt8](data)),
            case let .array(items)? = root["cases"], let messages = root["messages"]
        else { return ([], []) }
        let cases = items.compactMap { item -> Case? in
            guard case let .string(template)? = item["template"] else { return nil }
            if case let .string(output)? = item["output"] { return Case(template: template, output: output) }
            return Case(template: template, output: nil)
        }
        return (Array(Value(json: messages).compactJSONText.utf8), cases)
    }()

    @Test func theFixtureIsThere() {
        #expect(Self.fixture.cases.count == 161)
        #expect(Self.fixture.cases.filter { $0.output == nil }.count == 28)
    }

    @Test("every snippet prints what jinja2 printed, or fails where it raised", arguments: 0..<161)
    func snippet(index: Int) throws {
        guard index < Self.fixture.cases.count else { return }
        let golden = Self.fixture.cases[index]
        let request = try ChatRequest.read(messagesJSON: Self.fixture.messages)
        let rendered = Result {
            try ChatRenderer(template: Template(source: golden.template, name: "snippet")).render(request, addGenerationPrompt: false)
        }
        switch (rendered, golden.output) {
        case let (.success(text), expected?):
            #expect(text == expected, "\(golden.template.debugDescription)")
        case (.failure, nil):
            break
        case let (result, expected):
            Issue.record("\(golden.template.debugDescription): kimi-tok \(result), jinja2 \(expected.map(\.debugDescription) ?? "raised")")
        }
    }
}

extension Value {
    /// Compact JSON of a value read from JSON, for handing it back to a reader.
    fileprivate var compactJSONText: String { (try? compactJSON()) ?? "null" }
}
