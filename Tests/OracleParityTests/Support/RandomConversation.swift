/// Seeded OpenAI-style conversations covering what chat templates branch on: system or not,
/// multi-turn, tools with nested schemas and non-ASCII descriptions, tool calls with string and
/// object arguments, empty / null / list content, tool results, names, images, reasoning.
struct RandomConversation {
    var random: RandomText

    init(seed: UInt64) { random = RandomText(seed: seed) }

    mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

    mutating func text() -> String {
        switch random.below(6) {
        case 0: return ""
        case 1:
            return random.pick([
                "Hello!", "What's the weather in 北京?", "Summarize: 今日は良い天気です。", "  padded  ", "line one\nline two\n", "Use <|im_end|> wisely",
                "{\"json\": true}",
            ])
        default: return random.string(maximumAtoms: 8)
        }
    }

    mutating func content() -> JSONText {
        switch random.below(10) {
        case 0: return .null
        case 1: return .array([.object([("type", .string("text")), ("text", .string(""))])])
        case 2, 3:
            var parts: [JSONText] = []
            for _ in 0...random.below(3) {
                if chance(25) {
                    parts.append(.object([("type", .string("image_url")), ("image_url", .object([("url", .string("https://example.com/a.png"))]))]))
                } else {
                    parts.append(.object([("type", .string("text")), ("text", .string(text()))]))
                }
            }
            return .array(parts)
        default: return .string(text())
        }
    }

    mutating func schema(depth: Int) -> JSONText {
        if depth > 1 || chance(50) {
            var fields: [(String, JSONText)] = [("type", .string(random.pick(["string", "integer", "number", "boolean"])))]
            if chance(50) { fields.append(("description", .string(random.pick(["城市名称", "the unit", "Température en °C", "ユーザーID"])))) }
            if chance(20) { fields.append(("enum", .array([.string("a"), .string("b")]))) }
            return .object(fields)
        }
        if chance(30) { return .object([("type", .string("array")), ("items", schema(depth: depth + 1))]) }
        var properties: [(String, JSONText)] = []
        for index in 0...random.below(3) { properties.append(("p\(index)_\(random.pick(["city", "unit", "q", "数量"]))", schema(depth: depth + 1))) }
        return .object([
            ("type", .string("object")), ("properties", .object(properties)),
            ("required", .array(properties.prefix(1).map { .string($0.0) })),
        ])
    }

    static let toolNames = ["get_weather", "search", "run_python", "翻译", "calc"]

    mutating func tools() -> JSONText? {
        guard chance(55) else { return nil }
        var tools: [JSONText] = []
        for name in Self.toolNames.prefix(1 + random.below(3)) {
            tools.append(
                .object([
                    ("type", .string("function")),
                    (
                        "function",
                        .object([
                            ("name", .string(name)),
                            ("description", .string(random.pick(["Get the weather.", "搜索网页", "Exécute du code", ""]))),
                            ("parameters", schema(depth: 0)),
                        ])
                    ),
                ]))
        }
        return .array(tools)
    }

    mutating func toolCalls(_ counter: inout Int) -> [JSONText] {
        var calls: [JSONText] = []
        for _ in 0...random.below(2) {
            let name = random.pick(Self.toolNames)
            let arguments: JSONText =
                chance(50)
                ? .string("{\"q\": \"\(random.pick(["tokyo", "上海", "x"]))\", \"n\": \(random.below(10))}")
                : .object([("q", .string(random.pick(["tokyo", "上海", "x"]))), ("n", .int(random.below(10))), ("deep", .object([("ok", .bool(chance(50)))]))])
            var fields: [(String, JSONText)] = []
            if chance(85) { fields.append(("id", .string(random.pick(["functions.\(name):\(counter)", "call_\(random.below(99999))", "search:2"])))) }
            fields.append(("type", .string("function")))
            fields.append(("function", .object([("name", .string(name)), ("arguments", arguments)])))
            calls.append(.object(fields))
            counter += 1
        }
        return calls
    }

    /// One conversation: (messages, tools, add_generation_prompt).
    mutating func next() -> (messages: JSONText, tools: JSONText?, addGenerationPrompt: Bool) {
        var messages: [JSONText] = []
        if chance(50) { messages.append(.object([("role", .string("system")), ("content", content())])) }
        var counter = 0
        for _ in 0...random.below(4) {
            var user: [(String, JSONText)] = [("role", .string("user")), ("content", content())]
            if chance(10) { user.append(("name", .string("alice"))) }
            messages.append(.object(user))
            if chance(15) { break }
            var assistant: [(String, JSONText)] = [("role", .string("assistant"))]
            let calls = chance(40) ? toolCalls(&counter) : []
            assistant.append(
                (
                    "content",
                    calls.isEmpty
                        ? content()
                        : random.pick([
                            JSONText.null, .string(""), .string("Let me check."), .array([.object([("type", .string("text")), ("text", .string(""))])]),
                        ])
                ))
            if chance(25) { assistant.append(("reasoning_content", .string(random.pick(["I should call a tool.", "思考中…", ""])))) }
            if !calls.isEmpty { assistant.append(("tool_calls", .array(calls))) }
            if chance(10) { assistant.append(("name", .string("kimi"))) }
            messages.append(.object(assistant))
            for call in calls {
                guard case let .object(fields) = call else { continue }
                var result: [(String, JSONText)] = [("role", .string("tool"))]
                if let id = fields.first(where: { $0.0 == "id" })?.1 { result.append(("tool_call_id", id)) }
                if chance(30) { result.append(("name", .string(random.pick(Self.toolNames)))) }
                result.append(("content", chance(80) ? .string(random.pick(["{\"temp\": 21}", "晴れ", "", "error: timeout"])) : content()))
                messages.append(.object(result))
            }
        }
        return (.array(messages), tools(), chance(75))
    }
}
