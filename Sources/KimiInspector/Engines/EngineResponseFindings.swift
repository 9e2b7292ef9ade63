import KimiChatTemplate
import KimiIO

/// What an engine's answer lost or changed against kimi-tok's own reading of the same output:
/// each call kimi-tok reads (outside the reasoning) is looked for among the engine's calls, in
/// order, by its arguments; what is missing, renamed, cut or swollen becomes a finding.
public enum EngineResponseFindings {
    /// The findings for `response`, the answer `parser` gave for output that kimi-tok reads as
    /// `report`.
    public static func findings(
        _ response: EngineResponse, output: String, report: ToolCallReport, parser: any EngineOutputParser, context: EngineResponseContext
    ) -> [Finding] {
        var findings: [Finding] = []
        let engine = parser.displayName
        if let refusal = response.requestError {
            findings.append(
                Finding(
                    code: .engineRefusedRequest, severity: .error, message: "\(engine) refuses the request before parsing: \(refusal)",
                    fix: "client: send tool_choice only with the tools it names (or 'auto')"))
        }
        if let thrown = response.parseError {
            let cause = parser.failureCause(in: output, context)
            findings.append(
                Finding(
                    code: .engineParseFailure, severity: .error,
                    message: "\(engine) throws on this output (\(thrown)); the client gets HTTP 500\(cause.map { ": " + $0 } ?? "")",
                    fix:
                        "model output: calls exactly as <|tool_call_begin|>functions.NAME:N<|tool_call_argument_begin|>{JSON}<|tool_call_end|>, with declared names and nothing after them; server: a parser that tolerates the model's variations (vLLM's or SGLang's), or the client retries"
                ))
            return findings
        }
        let modelCalls = report.calls.filter { !$0.problems.contains { $0.code == "in-reasoning" } }
        let engineCalls = response.toolCalls ?? []
        var cursor = 0
        for (position, call) in modelCalls.enumerated() {
            let found = engineCalls.indices.dropFirst(cursor).lazy.compactMap { index in
                relation(of: call.arguments, to: engineCalls[index].arguments).map { (index, $0) }
            }.first
            guard let (index, relation) = found else {
                findings.append(dropped(call, position: position, engine: engine, context: context))
                continue
            }
            cursor = index + 1
            let returned = engineCalls[index]
            let modelID = call.id
            if !returned.idGenerated, returned.id != modelID {
                findings.append(
                    Finding(
                        code: .engineRewroteToolCallID, severity: .warning,
                        message: "call \(position) ('\(modelID)') comes back as '\(returned.id)'",
                        fix: parser.engineName == "sglang"
                            ? "client: answer the call with the ID the engine returned; server: SGLang numbers IDs after the calls in the request's history, so send that history unchanged"
                            : "client: answer the call with the ID the engine returned; model side: write IDs as functions.NAME:N"))
            }
            switch relation {
            case .same: break
            case .cut:
                findings.append(
                    Finding(
                        code: .engineCutArguments, severity: .error,
                        message:
                            "call \(position) ('\(modelID)'): the engine returns \(returned.arguments.unicodeScalars.count) of the arguments' \(call.arguments.unicodeScalars.count) characters: \(returned.arguments.debugDescription)",
                        fix: "server: use a parser that reads the arguments up to <|tool_call_end|> (SGLang's kimi_k2 stops at the first '}')"))
            case .swollen:
                findings.append(
                    Finding(
                        code: .engineMarkupInArguments, severity: .error,
                        message: "call \(position) ('\(modelID)'): the engine's arguments run on into markup: \(returned.arguments.debugDescription)",
                        fix: "model output: close every call with <|tool_call_end|>; server: stop arguments at the next <|tool_call_begin|>"))
            }
        }
        if let reasoning = response.reasoning, swallowed(reasoning, report: report) {
            findings.append(
                Finding(
                    code: .engineReasoningSwallowed, severity: .error,
                    message:
                        "the engine returns the answer as reasoning (\(reasoning.unicodeScalars.count) characters; kimi-tok reads \(report.reasoning?.unicodeScalars.count ?? 0) of reasoning)",
                    fix:
                        "client: switch thinking off in chat_template_kwargs when the model does not think, or make the output close its think block; server: start without the reasoning parser"
                ))
        }
        if let content = response.content, content.contains("<|tool_call") || content.contains("<|open|>call ") || content.contains("<|open|>tools<|sep|>") {
            findings.append(
                Finding(
                    code: .engineToolCallsAsContent, severity: .warning, message: "the engine returns tool-call markup as content",
                    fix: context.toolChoiceKind == "none"
                        ? "client: tool_choice 'none' (or no tools) makes the engine skip tool parsing; declare the tools"
                        : parser.engineName == "llama.cpp"
                            ? "server: start llama-server with a template that writes Kimi's tool-call markup (the model's own), so it picks its Kimi K2 parser"
                            : "model output: write calls the engine's parser reads"))
        }
        return findings
    }

    /// How the engine's arguments stand to the model's.
    enum Relation { case same, cut, swollen }

    static func relation(of model: String, to engine: String) -> Relation? {
        let modelArguments = PythonCharacters.strip(model), engineArguments = PythonCharacters.strip(engine)
        if modelArguments == engineArguments || (modelArguments.isEmpty && engineArguments == "{}") { return .same }
        if let a = try? JSONReader.parse(Array(modelArguments.utf8)), let b = try? JSONReader.parse(Array(engineArguments.utf8)), a == b {
            return .same
        }
        if engineArguments.count > modelArguments.count, engineArguments.hasPrefix(modelArguments), !modelArguments.isEmpty { return .swollen }
        if !engineArguments.isEmpty, modelArguments.hasPrefix(engineArguments) { return .cut }
        return nil
    }

    private static func dropped(_ call: ToolCallReport.Call, position: Int, engine: String, context: EngineResponseContext) -> Finding {
        let why: String
        let fix: String
        if !context.hasTools {
            why = "the request declares no tools, so the engine drops every call"
            fix = "client: send the tools with every request that can produce calls"
        } else if context.toolChoiceKind == "none" {
            why = "tool_choice is 'none', so the engine drops every call"
            fix = "client: use tool_choice 'auto' when calls are expected"
        } else {
            why = "the engine's parser does not read it (ID '\(call.id)', \(call.arguments.unicodeScalars.count) characters of arguments)"
            fix = "model side: write IDs as functions.NAME:N and JSON-object arguments closed by <|tool_call_end|>; server: a parser that reads every call"
        }
        return Finding(
            code: .engineDroppedToolCall, severity: .error, message: "call \(position) ('\(call.id)') is not in \(engine)'s answer: \(why)", fix: fix)
    }

    /// Whether the engine's reasoning holds text kimi-tok reads as the answer: a call, or more
    /// than kimi-tok's own reasoning while kimi-tok finds content or calls after it.
    private static func swallowed(_ reasoning: String, report: ToolCallReport) -> Bool {
        if reasoning.contains("<|tool_call_begin|>") || reasoning.contains("<|open|>call ") { return true }
        let answer = !PythonCharacters.strip(report.content).isEmpty || !report.calls.isEmpty
        return answer && reasoning.unicodeScalars.count > (report.reasoning?.unicodeScalars.count ?? 0)
    }
}
