import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// kimi-tok's own endpoints. Each answers exactly what the CLI command of the same name prints
/// with `--json`, built by the same report type; the body's fields are the command's options.
enum InspectorEndpoints {
    /// `POST /v1/kimi/render`: `messages`, `tools`, `add_generation_prompt` (default true),
    /// `chat_template`, `chat_template_kwargs`, `engine` and `content_format`.
    static func render(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        guard let request = try fields.chatRequest() else { throw ServiceError.badRequest("give 'messages' (a chat request to render)") }
        let renderer = try call.renderer(model)
        let rendering = try renderer.render(request, engine: try fields.engine("engine"), try call.engineRenderOptions(model))
        return try JSONWriter.encode(try RenderReport(rendering, family: renderer.family, tokenizer: model.tokenizer))
    }

    /// `POST /v1/kimi/check`: one of `messages`, `prompt` or `ids` (any engine shape), with
    /// `tools`, `add_generation_prompt`, `chat_template`, `chat_template_kwargs`, `engine` and
    /// `content_format`.
    static func check(_ call: EndpointRequest) throws -> [UInt8] {
        let model = try call.model()
        let input = try inspectionInput(call, model, engineField: "engine")
        return try JSONWriter.encode(try CheckReport(input, model: try call.inspected(model)))
    }

    /// `POST /v1/kimi/compare`: the engine's IDs as `engine` (any shape the CLI reads), the
    /// reference as one of `messages`, `prompt` or `ids`, and `engine_profile` to compare with
    /// that profile's prompt as well (`auto`: every profile tried, those that build the IDs named).
    static func compare(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        guard let engine = fields.bytes("engine") else { throw ServiceError.badRequest("give 'engine': the engine's token IDs") }
        let auto = try fields.string("engine_profile") == "auto"
        if auto {
            guard fields.has("messages") else { throw ServiceError.badRequest("'engine_profile' auto needs 'messages'") }
            let input = try inspectionInput(call, model, engineField: nil)
            let report = try ComparisonReport(
                engineIDs: try EngineTokenIDs.parse(engine), input: input, model: try call.inspected(model), autoProfile: true)
            return try JSONWriter.encode(report)
        }
        let input = try inspectionInput(call, model, engineField: "engine_profile")
        if input.engine.name != EngineProfiles.reference.name, input.request == nil {
            throw ServiceError.badRequest("'engine_profile' \(input.engine.name) needs 'messages'")
        }
        let report = try ComparisonReport(
            engineIDs: try EngineTokenIDs.parse(engine), input: input, model: try call.inspected(model))
        return try JSONWriter.encode(report)
    }

    /// `POST /v1/kimi/tool-calls`: `output` (raw model output, or a chat-completion response or
    /// SSE stream as text or JSON) or `ids` (token IDs in any engine shape) with `choice`;
    /// `tools` to validate against; `family` to read the output as that family's. `engine`
    /// (`vllm`, `sglang`) adds that engine's answer, with the chat `request` the output answers,
    /// `reasoning_parser`, `history_tool_calls`, `finish_reason`, `stream` and (llama.cpp) `chat_template` as `parse-tool-calls` takes them.
    static func toolCalls(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        let choice = try fields.int("choice")
        let input: ToolCallsReport.Input
        switch (fields.bytes("output"), fields.bytes("ids")) {
        case let (output?, nil):
            if choice != nil { throw ServiceError.badRequest("'choice' goes with 'ids'") }
            input = .output(output)
        case let (nil, ids?): input = .ids(ids, choice: choice)
        default: throw ServiceError.badRequest("give exactly one of 'output', 'ids'")
        }
        var tools = try fields.bytes("tools").map(ChatRequest.readTools)
        var engine: ToolCallsReport.EngineRequest?
        if let name = try fields.string("engine") {
            let reasoningParser = try fields.bool("reasoning_parser") ?? false
            let finishReason = try fields.string("finish_reason") ?? "stop"
            guard ["stop", "length"].contains(finishReason) else { throw ServiceError.badRequest("'finish_reason' is stop or length") }
            var context = EngineResponseContext(reasoningParser: reasoningParser, finishReason: finishReason)
            if let request = fields.bytes("request") {
                let body = try JSONReader.parseValue(request)
                guard case .dict = body else { throw ServiceError.badRequest("'request' is not a JSON object") }
                context = EngineResponseContext(request: body, reasoningParser: reasoningParser, finishReason: finishReason)
            }
            if let tools { context.tools = tools }
            if let stream = try fields.bool("stream") { context.streaming = stream }
            if let template = try fields.string("chat_template") {
                try call.policy.checkChatTemplate(fields)
                context.template = try Template(source: template, name: "request chat_template")
            }
            if let history = try fields.int("history_tool_calls") {
                guard history >= 0 else { throw ServiceError.badRequest("'history_tool_calls' must be 0 or more") }
                context.historyToolCalls = history
            }
            tools = tools ?? context.tools
            engine = .init(engine: name, context: context)
        } else if fields.has("request") || fields.has("reasoning_parser") || fields.has("history_tool_calls") {
            throw ServiceError.badRequest("'request', 'reasoning_parser' and 'history_tool_calls' go with 'engine'")
        }
        let report = try ToolCallsReport(
            input, tools: tools, family: try fields.choice("family", as: ModelFamily.self), engine: engine, tokenizer: { model.tokenizer })
        return try JSONWriter.encode(report)
    }

    /// `POST /v1/kimi/tokens`: every token with its index, ID, bytes and text (what `tokens
    /// --json` prints), of `ids` (any shape), of `prompt` encoded in `mode` (default hf), or of
    /// `segments` (`[[text, allow_special], ...]`, each token numbered with its segment).
    static func tokens(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        let listing: TokenListing
        switch (fields.bytes("ids"), try fields.string("prompt"), fields.bytes("segments")) {
        case let (ids?, nil, nil):
            listing = try TokenListing(try EngineTokenIDs.parse(ids), tokenizer: model.tokenizer)
        case let (nil, prompt?, nil):
            let mode = try fields.choice("mode", as: EncodeMode.self) ?? .hf
            listing = try TokenListing(try model.tokenizer.encode(prompt, mode: mode), tokenizer: model.tokenizer)
        case let (nil, nil, segments?):
            listing = try TokenListing(segments: try PromptSegments.read(segments), tokenizer: model.tokenizer)
        default:
            throw ServiceError.badRequest("give exactly one of 'ids', 'prompt', 'segments'")
        }
        return try JSONWriter.encode(listing)
    }

    /// The input of `check` and `compare`: exactly one of `messages`, `prompt`, `ids`.
    private static func inspectionInput(_ call: EndpointRequest, _ model: ServedModel, engineField: String?) throws -> InspectionInput {
        let fields = call.fields
        let given = ["messages", "prompt", "ids"].filter(fields.has)
        guard given.count == 1 else {
            throw ServiceError.badRequest(
                given.isEmpty
                    ? "give one of 'messages', 'prompt', 'ids'"
                    : "give one of 'messages', 'prompt', 'ids', not \(given.map { "'\($0)'" }.joined(separator: " and "))")
        }
        let source: InspectionInput.Source
        if let request = try fields.chatRequest() {
            source = .request(request)
        } else if let prompt = try fields.string("prompt") {
            source = .prompt(prompt)
        } else {
            source = .ids(try EngineTokenIDs.parse(fields.bytes("ids") ?? []))
        }
        var input = InspectionInput(
            source: source, standaloneTools: try fields.standaloneTools(), variables: try call.templateVariables(model),
            expectsGenerationPrompt: try fields.bool("add_generation_prompt") ?? true,
            engine: try engineField.map { try fields.engine($0) } ?? EngineProfiles.reference,
            contentFormat: try fields.choice("content_format", as: ContentFormat.self) ?? .auto)
        input.endpoint = try fields.choice("endpoint", as: EngineRenderOptions.Endpoint.self) ?? .chat
        return input
    }
}
