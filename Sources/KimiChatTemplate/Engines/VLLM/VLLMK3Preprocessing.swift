/// What vLLM 0.33 does to a Kimi K3 request before the model's own XTML builder runs (its
/// `KimiK3Renderer`), checked against what it built (`../shared/engines/vllm-0.33.0`):
///
/// - messages go through ``VLLMPreprocessing`` with the content format forced to `string`
///   (text parts joined with line feeds, arguments parsed, those that are not a JSON object
///   replaced by `{}`); `developer` messages pass through as they are;
/// - each block of tool results is put in the order of the calls it answers, a result matched
///   by the call's `id` or by the alias `NAME:POSITION` (zero-based), and given `tool` and
///   `index`; a block with a result that matches no call is left as it is;
/// - the tools are dumped by pydantic: a function without `description` or `parameters` gets
///   them as `null`;
/// - the options: `enable_thinking` is `thinking` (unless that is given), `reasoning_effort`
///   `none` turns thinking off and any other is the `thinking_effort` (unless that is given),
///   and a `thinking_effort` other than `low`, `high` or `max` is refused, thinking on or off;
///   `tool_choice` (when not `auto`) and `response_format` are passed on without `null`s.
enum VLLMK3Preprocessing {
    static let thinkingEfforts = ["low", "high", "max"]

    /// The request and the builder's options as vLLM hands them on.
    static func apply(
        _ request: ChatRequest, variables: [String: Value], steps: VLLMPreprocessing.Steps = .all
    ) throws -> (request: ChatRequest, variables: [String: Value]) {
        var options = variables
        if let reasoningEffort = request.field("reasoning_effort"), !reasoningEffort.isNone, options["reasoning_effort"] == nil {
            options["reasoning_effort"] = reasoningEffort
        }
        if let enable = options.removeValue(forKey: "enable_thinking"), !enable.isNone, options["thinking"] == nil {
            options["thinking"] = enable
        }
        if let effort = options.removeValue(forKey: "reasoning_effort"), !effort.isNone {
            if effort.stringValue == "none" {
                if options["thinking"] == nil { options["thinking"] = .bool(false) }
            } else if options["thinking_effort"] == nil {
                options["thinking_effort"] = effort
            }
        }
        if let effort = options["thinking_effort"], !effort.isNone, !thinkingEfforts.contains(effort.stringValue ?? "") {
            throw KimiError(
                .refused,
                "VLLMValidationError: Kimi K3 supports thinking_effort values: \(thinkingEfforts.joined(separator: ", ")) (parameter=thinking_effort, value=\(effort.pythonString))"
            )
        }
        if request.tools?.isEmpty == false, let choice = request.field("tool_choice"), !choice.isNone, choice.stringValue != "auto" {
            options["tool_choice"] = withoutNulls(choice)
        }
        if let format = request.field("response_format"), !format.isNone { options["response_format"] = withoutNulls(format) }
        let preprocessed = try VLLMPreprocessing.apply(request, format: .string, steps: steps.intersection([.contentFormat, .arguments]))
        let messages = steps.contains(.toolResults) ? orderingToolResults(preprocessed.messages) : preprocessed.messages
        let tools = steps.contains(.toolDeclarations) ? request.tools.map { $0.map(dumpedTool) } : request.tools
        return (try ChatRequest(messages: messages, tools: tools, fields: request.fields), options)
    }

    /// pydantic's dump of a tool: a function's missing `description` and `parameters` are `null`.
    private static func dumpedTool(_ tool: Value) -> Value {
        guard case let .dict(box) = tool, case let .dict(function)? = box[.function] else { return tool }
        let dumped = Value.DictBox(Array(function.pairs))
        for key in ["description", "parameters"] where dumped[.string(key)] == nil { dumped[.string(key)] = Value.none }
        let copy = Value.DictBox(Array(box.pairs))
        copy[.function] = .dict(dumped)
        return .dict(copy)
    }

    /// A request option as `model_dump(exclude_none=True)` gives it: `null` fields of the option
    /// and of the models inside it (`json_schema`, `function`) are dropped; a JSON schema inside
    /// is a plain dict and keeps its `null`s.
    private static func withoutNulls(_ value: Value, levels: Int = 2) -> Value {
        guard levels > 0, case let .dict(box) = value else { return value }
        return .dict(Value.DictBox(box.pairs.filter { !$0.1.isNone }.map { ($0, withoutNulls($1, levels: levels - 1)) }))
    }

    /// Each block of tool results after an assistant message with calls, in the calls' order.
    static func orderingToolResults(_ messages: [Value]) -> [Value] {
        var result: [Value] = []
        var index = 0
        while index < messages.count {
            let message = messages[index]
            result.append(message)
            index += 1
            guard let view = MessageView(message), view.role == "assistant", let calls = view.toolCallList, !calls.isEmpty else { continue }
            var targets: [String: (position: Int, name: String)] = [:]
            for (position, call) in calls.enumerated() {
                guard let callView = ToolCallView(call), let function = callView.function, let name = function[.name]?.stringValue, !name.isEmpty
                else { continue }
                var aliases = ["\(name):\(position)"]
                if let id = callView.fields[.id], !id.isNone, id.isTruthy { aliases.insert(id.pythonString, at: 0) }
                for alias in aliases where targets[alias] == nil { targets[alias] = (position, name) }
            }
            let start = index
            while index < messages.count, MessageView(messages[index])?.role == "tool" { index += 1 }
            guard index > start else { continue }
            var resolved: [(position: Int, order: Int, message: Value)] = []
            var complete = true
            for (order, toolMessage) in messages[start..<index].enumerated() {
                guard let id = MessageView(toolMessage)?.fields[.toolCallID], !id.isNone, let target = targets[id.pythonString],
                    case let .dict(box) = toolMessage
                else {
                    complete = false
                    break
                }
                let enriched = Value.DictBox(Array(box.pairs))
                enriched[.tool] = .string(target.name)
                enriched[.string("index")] = .int(target.position + 1)
                resolved.append((target.position, order, .dict(enriched)))
            }
            if complete {
                result += resolved.sorted { ($0.position, $0.order) < ($1.position, $1.order) }.map(\.message)
            } else {
                result += messages[start..<index]
            }
        }
        return result
    }
}
