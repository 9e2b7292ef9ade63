import KimiChatTemplate
import KimiIO

/// What an engine's own output parsers hand back to the client for one raw model output, in the
/// shape of a chat-completion message: the content, the reasoning and the tool calls.
public struct EngineResponse: Sendable, Encodable, Equatable {
    /// One tool call as the engine returns it.
    public struct ToolCall: Sendable, Encodable, Equatable {
        /// The call's ID; a random one is written `<generated chatcmpl-tool-{random hex}>`.
        public let id: String
        /// Whether the engine draws `id` at random (so no client can predict it).
        public let idGenerated: Bool
        public let name: String
        public let arguments: String
        /// The call's position in the response, for engines that return one.
        public let index: Int?

        /// The placeholder written for an ID the engine draws at random.
        public static let generatedID = "<generated chatcmpl-tool-{random hex}>"

        public init(id: String, idGenerated: Bool = false, name: String, arguments: String, index: Int? = nil) {
            self.id = id
            self.idGenerated = idGenerated
            self.name = name
            self.arguments = arguments
            self.index = index
        }

        /// `index` is left out where the engine returns none.
        enum CodingKeys: String, CodingKey { case id, idGenerated = "id_generated", name, arguments, index }
    }

    /// The `content` field (`nil`: JSON `null`).
    public let content: String?
    /// The reasoning field (`reasoning` on vLLM, `reasoning_content` on SGLang).
    public let reasoning: String?
    /// The calls; `nil` where the engine answers `null` rather than an empty list.
    public let toolCalls: [ToolCall]?
    /// The finish reason, for engines that rewrite it (SGLang: `stop` becomes `tool_calls`).
    public let finishReason: String?
    /// The engine's refusal of the request itself (HTTP 400 before any output is parsed); the
    /// fields above are then what its parsers would have returned.
    public let requestError: String?
    /// What the engine's parser threw instead of an answer (llama.cpp: HTTP 500); the other
    /// fields are then empty.
    public let parseError: String?

    public init(
        content: String?, reasoning: String?, toolCalls: [ToolCall]?, finishReason: String? = nil, requestError: String? = nil,
        parseError: String? = nil
    ) {
        self.content = content
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.requestError = requestError
        self.parseError = parseError
    }

    /// The answer of a parser that threw `message`.
    public static func failure(_ message: String) -> EngineResponse {
        EngineResponse(content: nil, reasoning: nil, toolCalls: nil, parseError: message)
    }

    enum CodingKeys: String, CodingKey {
        case content, reasoning, toolCalls = "tool_calls", finishReason = "finish_reason", requestError = "request_error", error
    }

    /// `{"error": …}` when the parser threw, else the message's fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let parseError { return try container.encode(parseError, forKey: .error) }
        try container.encode(content, forKey: .content)
        try container.encode(reasoning, forKey: .reasoning)
        try container.encode(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(finishReason, forKey: .finishReason)
        try container.encodeIfPresent(requestError, forKey: .requestError)
    }
}

/// What an engine's parsers read besides the output: the fields of the chat request the output
/// answers, and how the server was started.
public struct EngineResponseContext: Sendable {
    /// The request's `tools` (`nil` when absent).
    public var tools: [Value]?
    /// The request's `tool_choice` (`nil` when absent).
    public var toolChoice: Value?
    /// The request's `chat_template_kwargs`.
    public var chatTemplateKwargs: Value?
    /// Whether the server runs the family's reasoning parser (`--reasoning-parser`).
    public var reasoningParser: Bool
    /// Assistant tool calls in the request's history (SGLang numbers its IDs after them).
    public var historyToolCalls: Int
    /// Why generation stopped: `stop` or `length`.
    public var finishReason: String
    /// Whether the client asked for a stream (`"stream": true`): the answer assembled from the
    /// engine's deltas.
    public var streaming = false
    /// The request's `parallel_tool_calls`.
    public var parallelToolCalls = false
    /// The chat template the server was started with (llama.cpp picks its parser from it);
    /// `nil` for the model's own.
    public var template: Template?

    public init(
        tools: [Value]? = nil, toolChoice: Value? = nil, chatTemplateKwargs: Value? = nil, reasoningParser: Bool = false,
        historyToolCalls: Int = 0, finishReason: String = "stop"
    ) {
        self.tools = tools
        self.toolChoice = toolChoice
        self.chatTemplateKwargs = chatTemplateKwargs
        self.reasoningParser = reasoningParser
        self.historyToolCalls = historyToolCalls
        self.finishReason = finishReason
    }

    /// The context of `request` (a chat request's JSON object): its tools, `tool_choice`,
    /// `chat_template_kwargs` and `stream`, and the assistant tool calls in its messages.
    public init(request: Value, reasoningParser: Bool, finishReason: String = "stop") {
        func field(_ name: String) -> Value? {
            guard case let .dict(box) = request, let value = box[.string(name)] else { return nil }
            if case .none = value { return nil }
            return value
        }
        var tools: [Value]?
        if case let .list(list)? = field("tools") { tools = list.items }
        var history = 0
        if case let .list(messages)? = field("messages") {
            for message in messages.items {
                if let view = MessageView(message), view.role == "assistant" { history += view.toolCalls.count }
            }
        }
        self.init(
            tools: tools, toolChoice: field("tool_choice"), chatTemplateKwargs: field("chat_template_kwargs"),
            reasoningParser: reasoningParser, historyToolCalls: history, finishReason: finishReason)
        streaming = field("stream")?.isTruthy ?? false
        parallelToolCalls = field("parallel_tool_calls")?.isTruthy ?? false
    }

    /// Whether the request declares at least one tool.
    var hasTools: Bool { !(tools ?? []).isEmpty }

    /// `tool_choice` as a string (`auto`, `none`, `required`), `named` for a named tool, and
    /// the OpenAI default when absent: `none` without tools, `auto` with them.
    var toolChoiceKind: String {
        switch toolChoice {
        case nil: hasTools ? "auto" : "none"
        case let .string(text)?: text
        default: "named"
        }
    }

    /// A `chat_template_kwargs` entry, `nil` when absent or `null`.
    func templateKwarg(_ name: String) -> Value? {
        guard case let .dict(box)? = chatTemplateKwargs, let value = box[.string(name)] else { return nil }
        if case .none = value { return nil }
        return value
    }
}

/// One engine's output parsers for one output syntax: raw model text in, the response the client
/// gets out.
public protocol EngineOutputParser: Sendable {
    /// The engine, as `--engine` names it.
    var engineName: String { get }
    /// The parser as the engine's server flags name it, for messages.
    var displayName: String { get }
    /// What the engine returns for `output`; throws when the engine cannot be reproduced for
    /// this context (a setup that was never recorded).
    func response(to output: String, _ context: EngineResponseContext) throws -> EngineResponse

    /// When the parser throws on `output`, what in it broke the parser, in one line.
    func failureCause(in output: String, _ context: EngineResponseContext) -> String?
}

extension EngineOutputParser {
    public func failureCause(in output: String, _ context: EngineResponseContext) -> String? { nil }
}

/// Every engine output parser, found by engine and output syntax; a new engine's parsers are
/// entries here.
public enum EngineOutputParsers {
    static let all: [(syntax: ToolCallSyntax.Kind, parser: any EngineOutputParser)] = [
        (.k2Markup, VLLMKimiK2OutputParser()),
        (.xtml, VLLMKimiK3OutputParser()),
        (.k2Markup, SGLangKimiK2OutputParser()),
        (.k2Markup, LlamaCppKimiK2OutputParser()),
    ]

    /// The engines with output parsers, as `--engine` names them.
    public static var engineNames: [String] {
        all.reduce(into: []) { names, entry in if !names.contains(entry.parser.engineName) { names.append(entry.parser.engineName) } }
    }

    /// The parser `engine` runs on output written in `syntax`.
    public static func parser(engine: String, syntax: ToolCallSyntax) throws -> any EngineOutputParser {
        let parsers = all.filter { $0.parser.engineName == engine }
        guard !parsers.isEmpty else {
            throw KimiError(.badInput, "no output parser for engine '\(engine)' (known: \(engineNames.joined(separator: ", ")))")
        }
        guard let match = parsers.first(where: { $0.syntax == syntax.kind }) else {
            throw KimiError(
                .unsupported,
                "\(engine)'s parser for \(syntax.kind.displayName) output is not recorded in this kimi-tok (it has: \(parsers.map { $0.parser.displayName }.joined(separator: ", ")))"
            )
        }
        return match.parser
    }
}
