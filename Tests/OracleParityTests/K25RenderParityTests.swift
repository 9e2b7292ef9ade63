import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// Kimi K2.5/K2.6 rendering against the oracle's `k25` profile (the tokenizer class's
/// `apply_chat_template`): deep-sorted tools, the TypeScript declaration or its JSON fallback,
/// `thinking` / `preserve_thinking`, on seeded conversations with seeded tool lists.
enum K25RenderParityTests {
    static let caseCount = 3_000

    struct Case {
        let messages: JSONText
        let tools: JSONText?
        let addGenerationPrompt: Bool
        let variables: [(String, JSONText)]
    }

    static func cases() -> [Case] {
        var conversations = RandomConversation(seed: 0x25C0)
        var schemas = RandomToolSchema(seed: 0x25D0)
        var random = RandomText(seed: 0x25E0)
        return (0..<caseCount).map { _ in
            let conversation = conversations.next()
            var variables: [(String, JSONText)] = []
            switch random.below(3) {
            case 0: variables.append(("thinking", .bool(false)))
            case 1: variables.append(("thinking", .bool(true)))
            default: break
            }
            if random.below(3) == 0 { variables.append(("preserve_thinking", .bool(random.below(2) == 0))) }
            let tools: JSONText? = random.below(10) < 7 ? schemas.tools() : nil
            return Case(
                messages: conversation.messages, tools: tools,
                addGenerationPrompt: conversation.addGenerationPrompt, variables: variables)
        }
    }

}

extension LiveChatFormatParity {
    @Test("3,000 seeded conversations with seeded tools: identical prompts and IDs")
    func k25GeneratedConversations() throws {
        let tokenizer = try Reference.k25Tokenizer.get()
        let renderer = try ChatRenderer(modelDirectory: ModelDirectory(path: Reference.modelDirectory("kimi-k2.5"), source: .option))
        #expect(renderer.format is K25ChatFormat)
        let cases = K25RenderParityTests.cases()
        let lines = cases.map { c in
            "{\"op\":\"render\",\"profile\":\"k25\",\"messages\":\(c.messages.text),\"tools\":\(c.tools?.text ?? "null"),"
                + "\"add_generation_prompt\":\(c.addGenerationPrompt),\"variables\":\(JSONText.object(c.variables).text)}"
        }
        let answers = try Reference.k25Oracle.get().batch(lines: lines)
        var identical = 0, bothFailed = 0, mismatches = 0, typeScript = 0, jsonFallback = 0
        for (c, answer) in zip(cases, answers) {
            let ours: Result<String, Error> = Result {
                let request = try ChatRequest.read(messagesJSON: Array(c.messages.text.utf8), toolsJSON: c.tools.map { Array($0.text.utf8) })
                var variables: [String: Value] = [:]
                for (name, value) in c.variables { variables[name] = try JSONReader.parseValue(Array(value.text.utf8)) }
                return try renderer.render(request, addGenerationPrompt: c.addGenerationPrompt, variables: variables)
            }
            if let error = answer["error"] as? String {
                if case .failure = ours { bothFailed += 1; continue }
                mismatches += 1
                if mismatches <= 3 { Issue.record("the reference raised \(error) but kimi-tok rendered") }
                continue
            }
            let prompt = answer["prompt"] as? String ?? ""
            let ids = answer["ids"] as? [Int] ?? []
            switch ours {
            case let .failure(error):
                mismatches += 1
                if mismatches <= 3 { Issue.record("kimi-tok failed: \(error)\nmessages: \(c.messages.text)") }
            case let .success(ourPrompt):
                if ourPrompt.contains("namespace functions {") { typeScript += 1 }
                if ourPrompt.contains("tool_declare<|im_middle|>[") { jsonFallback += 1 }
                if ourPrompt == prompt, try tokenizer.encode(ourPrompt) == ids {
                    identical += 1
                } else {
                    mismatches += 1
                    if mismatches <= 5 {
                        let first =
                            zip(ourPrompt.unicodeScalars, prompt.unicodeScalars).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                            ?? min(ourPrompt.unicodeScalars.count, prompt.unicodeScalars.count)
                        Issue.record(
                            "prompts differ at scalar \(first)\nkimi-tok: \(String(String.UnicodeScalarView(ourPrompt.unicodeScalars.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)\noracle:   \(String(String.UnicodeScalarView(prompt.unicodeScalars.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)\ntools: \(c.tools?.text ?? "null")"
                        )
                    }
                }
            }
        }
        print(
            "k25 render parity: \(identical) identical prompts and IDs, \(bothFailed) raised by both, \(mismatches) mismatches (of \(cases.count)); \(typeScript) TypeScript declarations, \(jsonFallback) JSON fallbacks"
        )
        #expect(mismatches == 0)
        #expect(typeScript > 300 && jsonFallback > 20, "the generator covers both declaration forms")
    }
}
