import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// What `parse-tool-calls --json` prints and `POST /v1/kimi/tool-calls` answers: one report per
/// choice of the model output, whatever shape it came in.
public struct ToolCallsReport: Sendable, Encodable {
    /// One report per choice (one for plain output).
    public let choices: [ToolCallReport]

    /// How the output is given.
    public enum Input: Sendable {
        /// Raw model output, a chat-completion response or an SSE stream, as bytes.
        case output([UInt8])
        /// Token IDs in any engine shape, decoded first: every choice, or only `choice`.
        case ids([UInt8], choice: Int?)
    }

    /// An engine whose answer to raw output is added to each choice's report.
    public struct EngineRequest: Sendable {
        /// The engine, as `--engine` names it (`vllm`, `sglang`).
        public var engine: String
        /// The request the output answers, and the server's set-up.
        public var context: EngineResponseContext

        public init(engine: String, context: EngineResponseContext) {
            self.engine = engine
            self.context = context
        }
    }

    /// Parses and validates the calls of `input` against `tools`. Output that is K3's (or
    /// `family` says so) is read as XTML; `tokenizer` is loaded only to decode IDs. With
    /// `engine`, each choice also gets what that engine's parsers return for it.
    public init(
        _ input: Input, tools: [Value]?, family: ModelFamily?, engine: EngineRequest? = nil, tokenizer: () throws -> KimiTokenizer
    ) throws {
        let outputs: [String]
        switch input {
        case let .ids(bytes, choice):
            let tokenizer = try tokenizer()
            var lists = try EngineTokenIDs.outputs(bytes)
            if let choice { lists = [try ChoiceSelection.one(of: lists, choice: choice)] }
            outputs = try lists.map { try tokenizer.decode($0) }
        case let .output(bytes):
            if let responseChoices = CompletionResponse.choices(bytes) {
                if let engine {
                    throw KimiError(
                        .badInput, "--engine \(engine.engine) reads raw model output; this is an engine's response, already parsed by its server")
                }
                // A chat-completion response or SSE stream: the calls the server parsed, and any left as raw text.
                choices = responseChoices.map { choice in
                    choice.calls.isEmpty && choice.content.contains("<|tool_call")
                        ? ToolCallReport(output: choice.content, tools: tools)
                        : ToolCallReport(responseCalls: choice.calls, content: choice.content, reasoning: choice.reasoning, tools: tools)
                }
                return
            }
            outputs = [try UTF8Input.decode(bytes)]
        }
        let syntax = family.map(ToolCallSyntax.of) ?? ToolCallSyntax.detected(in: outputs)
        var reports = outputs.map { syntax.parse($0, tools) }
        if let engine {
            let parser = try EngineOutputParsers.parser(engine: engine.engine, syntax: syntax)
            for (index, output) in outputs.enumerated() {
                let response = try parser.response(to: output, engine.context)
                let findings = EngineResponseFindings.findings(response, output: output, report: reports[index], parser: parser, context: engine.context)
                reports[index] = reports[index].adding(.init(engine: engine.engine, response: response, findings: findings))
            }
        }
        choices = reports
    }

    /// Whether every call is valid and nothing is malformed.
    public var allValid: Bool {
        !choices.contains { $0.summary.valid != $0.summary.calls || !$0.malformed.isEmpty || !($0.engineAnswer?.findings.isEmpty ?? true) }
    }

    enum CodingKeys: String, CodingKey { case choices }

    /// One choice's report as is; several as `{"choices": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        if choices.count == 1 { return try choices[0].encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(choices, forKey: .choices)
    }
}

/// Picks the choice a command works on when a response holds several outputs.
public enum ChoiceSelection {
    /// The list `choice` names, or the only one; several without a choice is an error, so that
    /// no choice is dropped silently.
    public static func one(of lists: [[Int]], choice: Int?) throws -> [Int] {
        if let choice {
            guard choice >= 0, choice < lists.count else {
                throw KimiError(
                    .badInput, "--choice \(choice): the response has \(lists.count) choice\(lists.count == 1 ? "" : "s") (0...\(lists.count - 1))")
            }
            return lists[choice]
        }
        guard lists.count == 1 else {
            throw KimiError(.badInput, "the response has \(lists.count) choices; pick one with --choice N (0...\(lists.count - 1))")
        }
        return lists[0]
    }
}
