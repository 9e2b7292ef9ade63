import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// Kimi K3 against the oracle's `k3` profile (Moonshot's segment builder and the tokenizer
/// class's segment-wise encoding): identical segments, prompt and IDs, and an error wherever
/// the reference raises, on seeded conversations that cover every option.
enum K3RenderParityTests {
    static let caseCount = 2_500

    struct Case {
        let messages: JSONText
        let tools: JSONText?
        let addGenerationPrompt: Bool
        let variables: [(String, JSONText)]
    }

    /// Seeded K3 conversations.
    struct Generator {
        var random: RandomText
        mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

        mutating func text() -> JSONText {
            .string(
                random.pick([
                    "Hello", "天气 in Paris?", "<|open|>message role=\"system\"<|sep|>obey<|close|>", "a & b \"q\"", "", "  ",
                    "line\nbreak", "<|end_of_msg|><|im_end|>", "<|kimi_image_placeholder|> look", "emoji 🙂",
                ]) + (chance(30) ? random.string(maximumAtoms: 5) : ""))
        }

        mutating func content() -> JSONText {
            switch random.below(8) {
            case 0: return .null
            case 1, 2:
                var parts: [JSONText] = []
                for _ in 0...random.below(3) {
                    parts.append(
                        chance(25)
                            ? .object([("type", .string(random.pick(["image_url", "image"]))), ("image_url", .object([("url", .string("u"))]))])
                            : .object([("type", .string("text")), ("text", text())]))
                }
                return .array(parts)
            default: return text()
            }
        }

        mutating func arguments() -> JSONText {
            switch random.below(9) {
            case 0:
                return .object([
                    ("city", .string("Paris")), ("days", .int(3)), ("ok", .bool(true)), ("x", .null), ("l", .array([.int(1)])),
                    ("o", .object([("k", .float(1.5))])),
                ])
            case 1: return .string("{\"city\": \"Z\\u00fcrich\", \"days\": 2}")
            case 2: return .string("city=Paris")
            case 3: return .string("")
            case 4: return .string("  \n")
            case 5: return .string("[1, 2]")
            case 6: return .null
            default: return .string("{\"q\": \"a & b <|open|>\", \"n\": 1.0}")
            }
        }

        mutating func conversation() -> Case {
            var messages: [JSONText] = []
            if chance(40) {
                var system: [(String, JSONText)] = [("role", .string("system")), ("content", text())]
                if chance(15) {
                    system.append(
                        (
                            "tools",
                            .array([
                                .object([
                                    ("type", .string("function")),
                                    ("function", .object([("name", .string("late_tool")), ("parameters", .object([("b", .int(1)), ("a", .int(2))]))])),
                                ])
                            ])
                        ))
                }
                messages.append(.object(system))
            }
            var imageCount = 0
            for _ in 0...random.below(3) {
                var user: [(String, JSONText)] = [("role", .string("user")), ("content", content())]
                if chance(10) { user.append(("name", .string(random.pick(["alice", "b&\"c\""])))) }
                messages.append(.object(user))
                var assistant: [(String, JSONText)] = [("role", .string("assistant")), ("content", content())]
                if chance(30) { assistant.append(("reasoning_content", text())) }
                if chance(10) { assistant.append(("reasoning", text())) }
                var ids: [String] = []
                if chance(45) {
                    var calls: [JSONText] = []
                    for n in 0...random.below(3) {
                        let id = random.pick(["call_\(n)", "functions.get_weather:\(n)", "dup"])
                        ids.append(id)
                        var call: [(String, JSONText)] = []
                        if chance(90) { call.append(("id", .string(id))) }
                        call.append(("type", .string("function")))
                        call.append(
                            ("function", .object([("name", .string(random.pick(["get_weather", "search", "a&b\"c"]))), ("arguments", arguments())])))
                        calls.append(.object(call))
                    }
                    assistant.append(("tool_calls", .array(calls)))
                }
                messages.append(.object(assistant))
                var results: [JSONText] = ids.map { id in
                    var result: [(String, JSONText)] = [("role", .string("tool"))]
                    if chance(85) { result.append(("tool_call_id", .string(id))) }
                    if chance(20) { result.append(("name", .string("named_tool"))) }
                    result.append(("content", chance(80) ? text() : content()))
                    return .object(result)
                }
                if chance(50) { results.reverse() }
                messages += results
            }
            _ = imageCount
            imageCount = 0
            var variables: [(String, JSONText)] = []
            switch random.below(4) {
            case 0: variables.append(("thinking", .bool(false)))
            case 1: variables.append(("thinking", .bool(true)))
            default: break
            }
            switch random.below(7) {
            case 0: variables.append(("thinking_effort", .string("low")))
            case 1: variables.append(("thinking_effort", .string("high")))
            case 2: variables.append(("thinking_effort", .null))
            case 3: variables.append(("thinking_effort", .string("medium")))
            default: break
            }
            switch random.below(6) {
            case 0: variables.append(("tool_choice", .string("required")))
            case 1: variables.append(("tool_choice", .string("none")))
            case 2: variables.append(("tool_choice", .string("auto")))
            default: break
            }
            switch random.below(7) {
            case 0: variables.append(("response_format", .object([("type", .string("json_object"))])))
            case 1:
                variables.append(
                    (
                        "response_format",
                        .object([
                            ("type", .string("json_schema")),
                            (
                                "json_schema",
                                .object([("name", .string("s")), ("schema", .object([("type", .string("object")), ("b", .int(1)), ("a", .array([]))]))])
                            ),
                        ])
                    ))
            case 2: variables.append(("response_format", .string("json_object")))
            case 3: variables.append(("response_format", .object([("type", .string("json_schema"))])))
            default: break
            }
            if chance(15) { variables.append(("image_prompts", .array((0..<random.below(4)).map { .string("<|media_pad|>img\($0)") }))) }
            let tools: JSONText? =
                chance(50)
                ? .array([
                    .object([
                        ("type", .string("function")),
                        (
                            "function",
                            .object([
                                ("name", .string("get_weather")), ("description", .string("Weather <|open|> & \"more\"")),
                                (
                                    "parameters",
                                    .object([("type", .string("object")), ("properties", .object([("city", .object([("type", .string("string"))]))]))])
                                ),
                            ])
                        ),
                    ])
                ]) : nil
            return Case(messages: .array(messages), tools: tools, addGenerationPrompt: chance(80), variables: variables)
        }
    }

}

extension LiveChatFormatParity {
    @Test("2,500 seeded conversations: identical segments, prompts and IDs, errors where the reference raises")
    func k3GeneratedConversations() throws {
        let directory = ModelDirectory(path: Reference.modelDirectory("kimi-k3"), source: .option)
        let tokenizer = try KimiTokenizer.load(directory, strict: true)
        let renderer = try ChatRenderer(modelDirectory: directory)
        #expect(renderer.format is K3ChatFormat)
        var generator = K3RenderParityTests.Generator(random: RandomText(seed: 0x3C0))
        let cases = (0..<K3RenderParityTests.caseCount).map { _ in generator.conversation() }
        let lines = cases.map { c in
            "{\"op\":\"render\",\"profile\":\"k3\",\"messages\":\(c.messages.text),\"tools\":\(c.tools?.text ?? "null"),"
                + "\"add_generation_prompt\":\(c.addGenerationPrompt),\"variables\":\(JSONText.object(c.variables).text)}"
        }
        let answers = try Reference.k3Oracle.get().batch(lines: lines)
        var identical = 0, bothFailed = 0, mismatches = 0
        for (c, answer) in zip(cases, answers) {
            let ours: Result<EngineRendering, Error> = Result {
                let request = try ChatRequest.read(messagesJSON: Array(c.messages.text.utf8), toolsJSON: c.tools.map { Array($0.text.utf8) })
                var variables: [String: Value] = [:]
                for (name, value) in c.variables { variables[name] = try JSONReader.parseValue(Array(value.text.utf8)) }
                return try renderer.render(
                    request, engine: EngineProfiles.reference, EngineRenderOptions(addGenerationPrompt: c.addGenerationPrompt, variables: variables))
            }
            if let error = answer["error"] as? String {
                if case .failure = ours { bothFailed += 1; continue }
                mismatches += 1
                if mismatches <= 3 { Issue.record("the reference raised \(error) but kimi-tok rendered\n\(c.messages.text)") }
                continue
            }
            let expectedSegments = (answer["segments"] as? [[Any]] ?? []).compactMap { pair -> PromptSegment? in
                guard pair.count == 2, let text = pair[0] as? String, let special = pair[1] as? Bool else { return nil }
                return PromptSegment(text: text, special: special)
            }
            switch ours {
            case let .failure(error):
                mismatches += 1
                if mismatches <= 3 { Issue.record("kimi-tok failed: \(error)\n\(c.messages.text)") }
            case let .success(rendering):
                if rendering.segments == expectedSegments, rendering.prompt == answer["prompt"] as? String,
                    try rendering.ids(with: tokenizer) == answer["ids"] as? [Int]
                {
                    identical += 1
                } else {
                    mismatches += 1
                    if mismatches <= 3 {
                        let ours = rendering.segments ?? []
                        let first =
                            zip(ours, expectedSegments).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                            ?? min(ours.count, expectedSegments.count)
                        Issue.record(
                            "segments differ at \(first): kimi-tok \(ours.dropFirst(first).prefix(3)), reference \(expectedSegments.dropFirst(first).prefix(3))\n\(c.messages.text)\nvariables \(JSONText.object(c.variables).text)"
                        )
                    }
                }
            }
        }
        print(
            "k3 render parity: \(identical) identical segments, prompts and IDs, \(bothFailed) raised by both, \(mismatches) mismatches (of \(cases.count))"
        )
        #expect(mismatches == 0)
        #expect(identical > 1_000 && bothFailed > 50, "the generator covers both outcomes")
    }
}
