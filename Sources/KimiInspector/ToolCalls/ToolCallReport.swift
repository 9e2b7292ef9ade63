import KimiChatTemplate
import KimiIO

/// Tool calls parsed from model output and validated against the declared tools, counted the
/// way the K2 Vendor Verifier counts them.
public struct ToolCallReport: Sendable, Encodable {
    public struct Problem: Sendable, Encodable, Equatable {
        /// `invalid-id`, `undeclared-tool`, `invalid-json`, `invalid-arguments`, `schema-violation`,
        /// `truncated`, `in-reasoning`.
        public let code: String
        public let message: String
    }

    public struct Call: Sendable, Encodable {
        public let id: String
        public let name: String?
        public let arguments: String
        public let complete: Bool
        public let problems: [Problem]
        public var valid: Bool { problems.isEmpty }

        enum CodingKeys: String, CodingKey { case id, name, arguments, complete, problems, valid }
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(arguments, forKey: .arguments)
            try container.encode(complete, forKey: .complete)
            try container.encode(problems, forKey: .problems)
            try container.encode(valid, forKey: .valid)
        }
    }

    public struct Summary: Sendable, Encodable, Equatable {
        public var calls = 0, valid = 0, invalidID = 0, undeclared = 0, invalidJSON = 0, schemaErrors = 0, truncated = 0
        /// Calls found inside the reasoning (before `</think>`), which engines do not treat as calls.
        public var inReasoning = 0

        public init(
            calls: Int = 0, valid: Int = 0, invalidID: Int = 0, undeclared: Int = 0,
            invalidJSON: Int = 0, schemaErrors: Int = 0, truncated: Int = 0, inReasoning: Int = 0
        ) {
            self.calls = calls; self.valid = valid; self.invalidID = invalidID; self.undeclared = undeclared
            self.invalidJSON = invalidJSON; self.schemaErrors = schemaErrors; self.truncated = truncated
            self.inReasoning = inReasoning
        }

        enum CodingKeys: String, CodingKey {
            case calls, valid, undeclared, truncated
            case invalidID = "invalid_id", invalidJSON = "invalid_json", schemaErrors = "schema_errors"
            case inReasoning = "in_reasoning"
        }
    }

    /// The reasoning: what comes before `</think>` (a leading `<think>` removed), or the whole
    /// output when it opens `<think>` and never closes it; `nil` when the output has none.
    public let reasoning: String?
    /// Text outside tool-call sections, after the reasoning.
    public let content: String
    public let calls: [Call]
    /// Section-level problems (out-of-order markers, unclosed sections).
    public let malformed: [String]
    public let summary: Summary
    /// What an engine returns for this output, and what it lost or changed (with `--engine`).
    public private(set) var engineAnswer: EngineAnswer?

    /// An engine's answer to the output beside kimi-tok's own reading.
    public struct EngineAnswer: Sendable {
        /// The engine, as `--engine` names it.
        public let engine: String
        public let response: EngineResponse
        public let findings: [Finding]
    }

    /// This report with `engine`'s answer to the output added.
    public func adding(_ answer: EngineAnswer) -> ToolCallReport {
        var report = self
        report.engineAnswer = answer
        return report
    }

    enum CodingKeys: String, CodingKey {
        case reasoning, content, calls, malformed, summary, engine, engineResponse = "engine_response", engineFindings = "engine_findings"
    }

    /// Every key is written; `reasoning` is `null` for output without reasoning.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reasoning, forKey: .reasoning)
        try container.encode(content, forKey: .content)
        try container.encode(calls, forKey: .calls)
        try container.encode(malformed, forKey: .malformed)
        try container.encode(summary, forKey: .summary)
        if let engineAnswer {
            try container.encode(engineAnswer.engine, forKey: .engine)
            try container.encode(engineAnswer.response, forKey: .engineResponse)
            try container.encode(engineAnswer.findings, forKey: .engineFindings)
        }
    }

    /// Parses and validates `output`; `tools` are OpenAI-style tool objects (or nil to skip the
    /// declaration and schema checks).
    public init(output: String, tools: [Value]?) {
        var content = ""
        var calls: [Call] = []
        var malformed: [String] = []
        let schemas = tools.map(Self.schemas)
        var summary = Summary()
        let (reasoning, answer) = Self.splitReasoning(output)
        var events = reasoning.map { ToolCallStreamParser.parse($0).map { (event: $0, inReasoning: true) } } ?? []
        events += ToolCallStreamParser.parse(answer).map { (event: $0, inReasoning: false) }
        for (event, inReasoning) in events {
            switch event {
            case let .content(text): if !inReasoning { content += text }
            case let .malformed(message): malformed.append(inReasoning ? "in the reasoning: " + message : message)
            case let .call(id, arguments, complete):
                var call = Self.validate(id: id, arguments: arguments, complete: complete, schemas: schemas)
                if inReasoning {
                    call = Call(
                        id: call.id, name: call.name, arguments: call.arguments, complete: call.complete,
                        problems: call.problems + [
                            Problem(
                                code: "in-reasoning",
                                message: "the call sits inside the reasoning (before </think>); engines parse it as reasoning, not as a tool call")
                        ])
                    summary.inReasoning += 1
                }
                Self.record(call, in: &calls, summary: &summary)
            }
        }
        self.reasoning = reasoning
        self.content = content
        self.calls = calls
        if calls.isEmpty, let note = Self.strippedMarkersNote(output) { malformed.append(note) }
        self.malformed = malformed
        self.summary = summary
    }

    /// Parses and validates Kimi K3 output (XTML): each call's `tool` must be declared, its
    /// `index` its 1-based position, its arguments a JSON object satisfying the tool's schema.
    public init(k3Output output: String, tools: [Value]?) {
        var reasoning: String?
        var content = ""
        var calls: [Call] = []
        var malformed: [String] = []
        var summary = Summary()
        let schemas = tools.map(Self.schemas)
        for event in K3ToolCallParser.parse(output) {
            switch event {
            case let .reasoning(text): reasoning = (reasoning ?? "") + text
            case let .content(text): content += text
            case let .malformed(message): malformed.append(message)
            case let .call(tool, index, arguments, complete):
                var problems: [Problem] = []
                if !complete { problems.append(Problem(code: "truncated", message: "the call is cut off before <|close|>call<|sep|>")) }
                if index != String(calls.count + 1) {
                    problems.append(Problem(code: "invalid-index", message: "index=\"\(index)\" but it is call number \(calls.count + 1)"))
                }
                if let schemas, schemas[tool] == nil { problems.append(Problem(code: "undeclared-tool", message: "'\(tool)' is not a declared tool")) }
                if complete { problems += Self.argumentProblems(arguments, schema: schemas?[tool]) }
                Self.record(Call(id: index, name: tool, arguments: arguments, complete: complete, problems: problems), in: &calls, summary: &summary)
            }
        }
        self.reasoning = reasoning
        self.content = content
        self.calls = calls
        self.malformed = malformed
        self.summary = summary
    }

    /// The report of a chat-completion response's tool calls (`message.tool_calls`, or the
    /// calls assembled from an SSE stream's deltas): each call's ID, name and arguments checked
    /// as in raw output, and IDs used twice flagged.
    public init(responseCalls: [(id: String, name: String, arguments: String)], content: String, reasoning: String?, tools: [Value]?) {
        let schemas = tools.map(Self.schemas)
        var calls: [Call] = []
        var summary = Summary()
        for response in responseCalls {
            var problems: [Problem] = []
            let parsed = ToolCallID.parseStandard(response.id)
            if parsed == nil { problems.append(Problem(code: "invalid-id", message: "'\(response.id)' is not functions.NAME:IDX")) }
            if let parsed, parsed.name != response.name {
                problems.append(Problem(code: "invalid-id", message: "'\(response.id)' names '\(parsed.name)' but the call is to '\(response.name)'"))
            }
            if let schemas, schemas[response.name] == nil {
                problems.append(Problem(code: "undeclared-tool", message: "'\(response.name)' is not a declared tool"))
            }
            problems += Self.argumentProblems(response.arguments, schema: schemas?[response.name])
            Self.record(
                Call(id: response.id, name: response.name, arguments: response.arguments, complete: true, problems: problems),
                in: &calls, summary: &summary)
        }
        self.reasoning = reasoning
        self.content = content
        self.calls = calls
        self.malformed = []
        self.summary = summary
    }

    /// Appends `call` (with `duplicate-id` when an earlier call has its ID) and counts it.
    private static func record(_ call: Call, in calls: inout [Call], summary: inout Summary) {
        let call = flaggingDuplicate(call, among: calls)
        summary.calls += 1
        if call.valid { summary.valid += 1 }
        for code in Set(call.problems.map(\.code)) {
            switch code {
            case "invalid-id", "duplicate-id", "invalid-index": summary.invalidID += 1
            case "undeclared-tool": summary.undeclared += 1
            case "invalid-json", "invalid-arguments": summary.invalidJSON += 1
            case "schema-violation": summary.schemaErrors += 1
            case "truncated": summary.truncated += 1
            default: break
            }
        }
        calls.append(call)
    }

    /// `call` with a `duplicate-id` problem when an earlier call of the same output has its ID.
    private static func flaggingDuplicate(_ call: Call, among earlier: [Call]) -> Call {
        guard !call.id.isEmpty, earlier.contains(where: { $0.id == call.id }) else { return call }
        return Call(
            id: call.id, name: call.name, arguments: call.arguments, complete: call.complete,
            problems: call.problems + [Problem(code: "duplicate-id", message: "the ID '\(call.id)' is used by an earlier call of this output")])
    }

    /// Output whose tool-call markers were stripped (decoded with `skip_special_tokens=True`):
    /// `functions.NAME:IDX` followed by a JSON object, with no marker left.
    static func strippedMarkersNote(_ output: String) -> String? {
        guard !output.contains("<|tool_call"), !output.contains("<|open|>") else { return nil }
        var count = 0
        var rest = output[...]
        while let range = rest.range(of: "functions.") {
            let after = rest[range.upperBound...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
            let tail = after.dropFirst(name.count)
            if !name.isEmpty, tail.first == ":" {
                let digits = tail.dropFirst().prefix { $0.isNumber }
                if !digits.isEmpty, tail.dropFirst(1 + digits.count).drop(while: \.isWhitespace).first == "{" { count += 1 }
            }
            rest = after
        }
        guard count > 0 else { return nil }
        return
            "the output holds \(count) tool call\(count == 1 ? "" : "s") with the markers stripped (functions.NAME:IDX then arguments): it was decoded with skip_special_tokens=True; decode with skip_special_tokens=False to keep <|tool_call_begin|> and the others"
    }

    /// Problems of complete arguments: not JSON, not an object, against the schema.
    private static func argumentProblems(_ arguments: String, schema: Value?) -> [Problem] {
        switch Result(catching: { try JSONReader.parseValue(Array(arguments.utf8)) }) {
        case let .failure(error):
            return [Problem(code: "invalid-json", message: "arguments are not JSON: \(error)")]
        case let .success(value):
            guard case .dict = value else { return [Problem(code: "invalid-arguments", message: "arguments are \(value.typeName), not a JSON object")] }
            guard let schema, case .dict = schema else { return [] }
            return JSONSchemaValidator(schema: schema).violations(of: value).map { Problem(code: "schema-violation", message: $0) }
        }
    }

    /// The reasoning and the rest of a thinking model's output.
    static func splitReasoning(_ output: String) -> (reasoning: String?, answer: String) {
        var text = Substring(output)
        let opened = text.hasPrefix("<think>")
        if opened { text = text.dropFirst("<think>".count) }
        if let close = text.range(of: "</think>") {
            return (String(text[..<close.lowerBound]), String(text[close.upperBound...]))
        }
        return opened ? (String(text), "") : (nil, output)
    }

    /// Function name → its `parameters` schema (or none).
    private static func schemas(_ tools: [Value]) -> [String: Value] {
        var result: [String: Value] = [:]
        for tool in tools {
            guard case let .dict(box) = tool else { continue }
            let function: Value.DictBox? = { if case let .dict(f)? = box[.function] { return f } else { return box } }()
            guard let function, case let .string(name)? = function[.name] else { continue }
            result[name] = function[.string("parameters")] ?? Value.none
        }
        return result
    }

    private static func validate(id: String, arguments: String, complete: Bool, schemas: [String: Value]?) -> Call {
        var problems: [Problem] = []
        let parsed = ToolCallID.parseStandard(id)
        if !complete { problems.append(Problem(code: "truncated", message: "the call is cut off before <|tool_call_end|>")) }
        if parsed == nil {
            problems.append(Problem(code: "invalid-id", message: "'\(id)' is not functions.NAME:IDX"))
        }
        if let name = parsed?.name, let schemas, schemas[name] == nil {
            problems.append(Problem(code: "undeclared-tool", message: "'\(name)' is not a declared tool"))
        }
        if complete {
            switch Result(catching: { try JSONReader.parseValue(Array(arguments.utf8)) }) {
            case .failure(let error):
                problems.append(Problem(code: "invalid-json", message: "arguments are not JSON: \(error)"))
            case .success(let value):
                if case .dict = value {
                    if let name = parsed?.name, let schema = schemas?[name], case .dict = schema {
                        for violation in JSONSchemaValidator(schema: schema).violations(of: value) {
                            problems.append(Problem(code: "schema-violation", message: violation))
                        }
                    }
                } else {
                    problems.append(Problem(code: "invalid-arguments", message: "arguments are \(value.typeName), not a JSON object"))
                }
            }
        }
        return Call(id: id, name: parsed?.name, arguments: arguments, complete: complete, problems: problems)
    }
}
