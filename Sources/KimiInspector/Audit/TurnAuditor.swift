import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// The findings of one served turn: ``PromptChecker`` on the prompt (the engine's IDs when the
/// log has them, else the prompt the engine profile builds), the comparison with the reference
/// prompt with the engine step that explains it, and the response side (the calls returned,
/// validated against the request's tools; calls the engine's parser lost or changed when the
/// log has the model's raw output), with what K2VV records for the response.
public struct TurnAuditor: Sendable {
    public let model: InspectedModel
    /// The profile of the engine that served the turns (a turn's `engine` field overrides it).
    public let engine: any EngineProfile
    /// Whether the server ran the family's reasoning parser (for the engine's output parsers).
    public var reasoningParser = false
    private let checker: PromptChecker

    public init(model: InspectedModel, engine: any EngineProfile) throws {
        guard let checker = PromptChecker(tokenizer: model.tokenizer, family: model.family) else {
            throw KimiError(.unsupported, "this vocabulary has no Kimi chat markers (<|im_user|>, <|im_middle|>, ...); it cannot be audited")
        }
        self.model = model
        self.engine = engine
        self.checker = checker
    }

    /// The audit of `turn`.
    public func audit(_ turn: AuditTurn) -> TurnAudit {
        var findings: [Finding] = []
        var profile = engine
        if let name = turn.engine {
            if let named = EngineProfiles.named(name) {
                profile = named
            } else {
                findings.append(
                    Finding(
                        code: .badRecord, severity: .error,
                        message: "the turn's engine '\(name)' is not an engine profile (\(EngineProfiles.all.map(\.name).joined(separator: ", ")))",
                        fix: "log the engine as one of the profiles' names"))
            }
        }
        // The declared tools, as the request holds them even when it cannot be rendered.
        var tools: [Value]?
        if case let .dict(box) = turn.request, case let .list(list)? = box[.tools] { tools = list.items }
        switch Result(catching: { try turn.chatRequest() }) {
        case let .failure(error):
            findings.append(
                Finding(
                    code: .invalidRequest, severity: .error, message: "the request is not a chat request the template takes: \(error)",
                    fix: "client: send messages as OpenAI chat messages (role, content, tool_calls with function name and arguments)"))
        case let .success(request):
            findings += promptFindings(turn, request: request, profile: profile)
        }
        let (responseFindings, outcome) = responseFindings(turn, tools: tools, profile: profile)
        findings += responseFindings
        return TurnAudit(findings: findings, model: turn.model ?? "", engine: profile.name, k2vv: outcome)
    }

    // MARK: - The prompt

    private func promptFindings(_ turn: AuditTurn, request: ChatRequest, profile: any EngineProfile) -> [Finding] {
        let input = InspectionInput(
            source: .request(request), variables: request.templateKwargs,
            expectsGenerationPrompt: request.field("add_generation_prompt")?.isTruthy ?? true, engine: profile)
        let predicted = Result { try input.ids(on: model) }
        var findings: [Finding] = []
        let ids: [Int]
        if let logged = turn.promptTokenIDs {
            ids = logged
            let reference =
                profile.name == EngineProfiles.reference.name ? predicted : Result { try input.ids(on: model, engine: EngineProfiles.reference) }
            switch reference {
            case let .failure(error): return [Self.notRendered(error)]
            case let .success(reference) where reference.ids != logged:
                // Only IDs that differ pay for the diagnosis (which asks every engine's steps).
                let comparison = ComparisonReport.comparison(
                    engineIDs: logged, referenceIDs: reference.ids, prompts: prompts(request, input, reference, predicted), input: input, model: model)
                findings.append(Self.finding(comparison, about: "the engine's prompt IDs"))
            case .success: break
            }
        } else {
            switch predicted {
            case let .failure(error):
                if profile.name != EngineProfiles.reference.name, (try? input.ids(on: model, engine: EngineProfiles.reference)) != nil {
                    return [
                        Finding(
                            code: .engineRefusedRequest, severity: .error, message: "\(profile.displayName) refuses this request: \(error)",
                            fix: "client: send what \(profile.displayName) takes (docs/engines.md lists its refusals)")
                    ]
                }
                return [Self.notRendered(error)]
            case let .success(prediction):
                ids = prediction.ids
                if profile.name != EngineProfiles.reference.name, let reference = try? input.ids(on: model, engine: EngineProfiles.reference),
                    reference.ids != prediction.ids
                {
                    let comparison = ComparisonReport.comparison(
                        engineIDs: prediction.ids, referenceIDs: reference.ids, prompts: prompts(request, input, reference, predicted), input: input,
                        model: model)
                    findings.append(Self.finding(comparison, about: "the prompt \(profile.displayName) builds"))
                }
            }
        }
        let rendering = try? predicted.get().rendering
        findings += checker.check(
            ids,
            options: PromptChecker.Options(
                expectGenerationPrompt: input.expectsGenerationPrompt, request: request, thinking: input.thinking,
                referenceSegments: rendering?.segments, engine: profile, rendering: rendering))
        return findings
    }

    /// The request's prompts for the engine diagnoses, holding the two already built: the
    /// reference and the turn's profile's prediction.
    private func prompts(
        _ request: ChatRequest, _ input: InspectionInput, _ reference: (ids: [Int], rendering: EngineRendering?),
        _ predicted: Result<(ids: [Int], rendering: EngineRendering?), any Error>
    ) -> RequestPrompts? {
        guard let rendering = reference.rendering else { return nil }
        let prompts = RequestPrompts(request: request, options: input.renderOptions, reference: rendering, referenceIDs: reference.ids, model: model)
        if case let .success(prediction) = predicted, let rendering = prediction.rendering {
            prompts.record(rendering, ids: prediction.ids, engine: input.engine, format: input.contentFormat)
        }
        return prompts
    }

    /// A difference from the reference prompt as a finding, named by its classification.
    private static func finding(_ comparison: StreamComparison, about subject: String) -> Finding {
        let minor: Set<FindingCode> = [.whitespaceOnly, .tokenizationOnly]
        return Finding(
            code: comparison.classification, severity: minor.contains(comparison.classification) ? .warning : .error,
            tokenIndex: comparison.firstDivergence,
            message:
                "\(subject) differ from the reference from token \(comparison.firstDivergence ?? 0) (\(comparison.referenceCount) reference tokens, \(comparison.engineCount) engine's): \(comparison.explanation)",
            fix: "server: make the engine build the reference prompt; `kimi-tok compare --messages REQUEST --engine IDS` shows every hunk")
    }

    private static func notRendered(_ error: any Error) -> Finding {
        Finding(
            code: .invalidRequest, severity: .error, message: "the reference cannot render this request: \(error)",
            fix: "client: send a request the model's chat template takes")
    }

    // MARK: - The response

    private func responseFindings(_ turn: AuditTurn, tools: [Value]?, profile: any EngineProfile) -> ([Finding], K2VVOutcome?) {
        var findings: [Finding] = []
        let requestJSON = turn.requestJSON
        var outcome: K2VVOutcome?
        var choices: [CompletionResponse.Choice]?
        switch turn.response {
        case let .object(object)?:
            outcome = K2VVOutcome(response: object, request: requestJSON, status: turn.status)
            choices = CompletionResponse.choices(object: object)
            if choices == nil || turn.status.map({ $0 != "success" }) == true {
                findings.append(
                    Finding(
                        code: .responseFailed, severity: .error, message: "the server answered with no completion: \(Self.errorMessage(object))",
                        fix: "server: see its log for this request"))
                choices = nil
            }
        case let .stream(text)?:
            choices = CompletionResponse.stream(text)
            outcome = K2VVOutcome(choice: choices?.first, request: requestJSON)
            if choices == nil {
                findings.append(
                    Finding(
                        code: .responseFailed, severity: .error, message: "the stream holds no chat-completion chunk",
                        fix: "log the stream's data: lines as the server sent them"))
            }
        case nil: break
        }
        let syntax = ToolCallSyntax.of(model.family)
        if let output = turn.output {
            let text: String
            switch output {
            case let .text(raw): text = raw
            case let .ids(ids):
                guard let decoded = try? model.tokenizer.decode(ids) else {
                    findings.append(
                        Finding(
                            code: .badRecord, severity: .error, message: "the output IDs are not all in the vocabulary",
                            fix: "log the engine's output token IDs as it returned them"))
                    return (findings, outcome)
                }
                text = decoded
            }
            if let parser = try? EngineOutputParsers.parser(engine: profile.name, syntax: syntax) {
                var context = EngineResponseContext(request: turn.request, reasoningParser: reasoningParser)
                if let first = choices?.first, first.finishReason == "length" { context.finishReason = "length" }
                let report = syntax.parse(text, tools)
                let answer: EngineResponse?
                if let first = choices?.first {
                    answer = EngineResponse(
                        content: first.content, reasoning: first.reasoning,
                        toolCalls: first.calls.map { EngineResponse.ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) },
                        finishReason: first.finishReason)
                } else if turn.response == nil {
                    answer = try? parser.response(to: text, context)
                    if let answer, answer.requestError == nil, answer.parseError == nil {
                        var choice = CompletionResponse.Choice()
                        choice.content = answer.content ?? ""
                        choice.reasoning = answer.reasoning
                        choice.calls = (answer.toolCalls ?? []).map { ($0.id, $0.name, $0.arguments) }
                        choice.finishReason = answer.finishReason
                        choices = [choice]
                        outcome = K2VVOutcome(choice: choice, request: requestJSON)
                    }
                } else {
                    answer = nil
                }
                if let answer { findings += EngineResponseFindings.findings(answer, output: text, report: report, parser: parser, context: context) }
            }
        }
        for (index, choice) in (choices ?? []).enumerated() {
            findings += Self.findings(choice, index: index, count: choices?.count ?? 1, tools: tools, syntax: syntax)
        }
        return (findings, outcome)
    }

    /// The findings of one returned choice: its calls checked, its finish reason against them,
    /// call markup left in its content or reasoning.
    private static func findings(
        _ choice: CompletionResponse.Choice, index: Int, count: Int, tools: [Value]?, syntax: ToolCallSyntax
    ) -> [Finding] {
        var findings: [Finding] = []
        let prefix = count > 1 ? "choice \(index): " : ""
        let report = ToolCallReport(responseCalls: choice.calls, content: choice.content, reasoning: choice.reasoning, tools: tools ?? [])
        for (position, call) in report.calls.enumerated() {
            var seen: Set<String> = []
            for problem in call.problems {
                let (code, severity, fix): (FindingCode, Finding.Severity, String) =
                    switch problem.code {
                    case "undeclared-tool":
                        (
                            .responseUndeclaredTool, .error,
                            "model side: call only the request's tools; server: tool_choice and the declaration as the template writes them"
                        )
                    case "invalid-json", "invalid-arguments":
                        (.responseInvalidArguments, .error, "server: return the model's arguments unchanged; model side: arguments are one JSON object")
                    case "schema-violation": (.responseSchemaViolation, .error, "model side: arguments that satisfy the tool's parameters")
                    default:
                        (
                            .responseToolCallID, .warning,
                            "server: return the IDs the model wrote (functions.NAME:IDX), each once; the client sends them back in the history"
                        )
                    }
                guard seen.insert(code.rawValue + problem.message).inserted else { continue }
                findings.append(Finding(code: code, severity: severity, message: "\(prefix)call \(position) ('\(call.id)'): \(problem.message)", fix: fix))
            }
        }
        if choice.finishReason == "tool_calls", choice.calls.isEmpty {
            findings.append(
                Finding(
                    code: .finishReasonMismatch, severity: .error, message: "\(prefix)finish_reason is tool_calls but the message has no tool calls",
                    fix: "server: a finish reason that matches the calls it returns"))
        } else if !choice.calls.isEmpty, let reason = choice.finishReason, reason != "tool_calls" {
            findings.append(
                Finding(
                    code: .finishReasonMismatch, severity: .warning,
                    message: "\(prefix)the message has \(choice.calls.count) tool call\(choice.calls.count == 1 ? "" : "s") but finish_reason is \(reason)",
                    fix: "server: finish_reason tool_calls when the message has calls (clients and K2VV go by it)"))
        }
        if choice.calls.isEmpty {
            if syntax.writes(choice.content) {
                findings.append(
                    Finding(
                        code: .engineToolCallsAsContent, severity: .error, message: "\(prefix)the content holds tool-call markup the server did not parse",
                        fix: "server: run the family's tool-call parser (vLLM/SGLang --tool-call-parser kimi_k2)"))
            } else if let reasoning = choice.reasoning, syntax.writes(reasoning) {
                findings.append(
                    Finding(
                        code: .engineReasoningSwallowed, severity: .error,
                        message: "\(prefix)the reasoning holds tool-call markup: the calls never reach the client",
                        fix: "server: a reasoning parser that ends the reasoning before tool calls"))
            }
        }
        return findings
    }

    private static func errorMessage(_ object: JSONValue) -> String {
        for key in ["error_message", "message", "detail"] {
            if case let .string(text)? = object[key] ?? object["error"]?[key] { return text }
        }
        if case let .string(text)? = object["error"] { return text }
        return "no choices"
    }
}

/// What the audit found in one turn.
public struct TurnAudit: Sendable {
    public let findings: [Finding]
    /// The `model` the request names (empty when none).
    public let model: String
    /// The engine profile the turn was audited as.
    public let engine: String
    /// What K2VV records for the turn's response; `nil` without a response.
    public let k2vv: K2VVOutcome?
}
