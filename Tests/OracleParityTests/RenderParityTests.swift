import Foundation
import KimiChatTemplate
import KimiTokenizer
import TestSupport
import Testing

/// Rendering against transformers' `apply_chat_template`: identical prompt bytes and IDs for
/// every template and conversation the reference renders, and an error wherever it raises.
enum RenderParityTests {
    struct NamedTemplate {
        let name: String
        /// nil: the model directory's own template (the oracle's default).
        let source: String?
    }

    static func templates() throws -> [NamedTemplate] {
        let directory = Reference.sharedDirectory.appendingPathComponent("templates")
        var result: [NamedTemplate] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            if name.hasSuffix(".jinja") {
                result.append(NamedTemplate(name: name, source: try UTF8Input.decode([UInt8](data))))
            } else if name.hasSuffix(".json"),
                let config = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let text = config["chat_template"] as? String
            {
                result.append(NamedTemplate(name: name + " (chat_template)", source: text))
            }
        }
        result.append(NamedTemplate(name: "model directory tokenizer_config.json", source: nil))
        return result
    }

    static func renderer(for template: NamedTemplate) throws -> ChatRenderer {
        let model = ModelDirectory(path: Reference.referenceModelDirectory, source: .option)
        let renderer = try ChatRenderer(modelDirectory: model)
        guard let source = template.source else { return renderer }
        return ChatRenderer(
            template: try Template(source: source, name: template.name),
            specialTokenVariables: renderer.specialTokenVariables, family: renderer.family)
    }

}

extension LiveChatFormatParity {
    @Test("every shared template on 1,000 seeded conversations")
    func k2GeneratedConversations() throws {
        let tokenizer = try Reference.tokenizer.get()
        var conversations = RandomConversation(seed: 0xC4A7)
        let cases = (0..<1_000).map { _ in conversations.next() }
        var totals = (rendered: 0, identical: 0, bothFailed: 0)
        for template in try RenderParityTests.templates() {
            let renderer = try RenderParityTests.renderer(for: template)
            let templateJSON = template.source.map(JSONText.quote) ?? "null"
            let lines = cases.map { c in
                "{\"op\":\"render\",\"messages\":\(c.messages.text),\"tools\":\(c.tools?.text ?? "null"),"
                    + "\"add_generation_prompt\":\(c.addGenerationPrompt),\"template\":\(templateJSON)}"
            }
            let answers = try Reference.oracle.get().batch(lines: lines)
            var identical = 0, bothFailed = 0, mismatches = 0
            var oracleErrors: Set<String> = []
            for (c, answer) in zip(cases, answers) {
                let ours: Result<String, Error> = Result {
                    let request = try ChatRequest.read(
                        messagesJSON: Array(c.messages.text.utf8),
                        toolsJSON: c.tools.map { Array($0.text.utf8) })
                    return try renderer.render(request, addGenerationPrompt: c.addGenerationPrompt)
                }
                if let error = answer["error"] as? String {
                    oracleErrors.insert(String(error.prefix(100)))
                    if case .failure = ours { bothFailed += 1; continue }
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("\(template.name): the reference raised \(error) but kimi-tok rendered") }
                    continue
                }
                let prompt = answer["prompt"] as? String ?? ""
                let ids = answer["ids"] as? [Int] ?? []
                switch ours {
                case let .failure(error):
                    mismatches += 1
                    if mismatches <= 3 { Issue.record("\(template.name): kimi-tok failed: \(error)\nmessages: \(c.messages.text)") }
                case let .success(ourPrompt):
                    if ourPrompt == prompt, try tokenizer.encode(ourPrompt) == ids {
                        identical += 1
                    } else {
                        mismatches += 1
                        if mismatches <= 3 {
                            let first =
                                zip(ourPrompt.unicodeScalars, prompt.unicodeScalars).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                                ?? min(ourPrompt.unicodeScalars.count, prompt.unicodeScalars.count)
                            Issue.record(
                                "\(template.name): prompts differ at scalar \(first)\nkimi-tok: \(String(String.UnicodeScalarView(ourPrompt.unicodeScalars.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\noracle:   \(String(String.UnicodeScalarView(prompt.unicodeScalars.dropFirst(max(0, first - 60)).prefix(160))).debugDescription)\nmessages: \(c.messages.text)"
                            )
                        }
                    }
                }
            }
            print(
                "render parity \(template.name): \(identical) identical prompts and IDs, \(bothFailed) raised by both, \(mismatches) mismatches (of \(cases.count))"
                    + (oracleErrors.isEmpty ? "" : "; reference errors: \(oracleErrors.sorted().joined(separator: " | "))"))
            #expect(mismatches == 0, "\(template.name): \(mismatches) mismatches")
            totals.rendered += cases.count
            totals.identical += identical
            totals.bothFailed += bothFailed
        }
        print(
            "render parity total: \(totals.identical + totals.bothFailed)/\(totals.rendered) agree (\(totals.identical) identical prompts and IDs, \(totals.bothFailed) raised by both)"
        )
    }
}
