import KimiChatTemplate
import KimiIO

/// The tool calls in the history: arguments that are JSON, IDs in the `functions.NAME:IDX` form
/// Kimi K2 learned (naming the called function and numbering calls from 0 across the
/// conversation), and calls to tools the declaration lists.
struct ToolCallIDRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        var findings: [Finding] = []
        let requestCalls = context.options.request.map { $0.messages.compactMap(MessageView.init).flatMap { $0.toolCalls.compactMap(\.name) } } ?? []
        let declared = prompt.declaredNames(context.stream)
        func undeclared(_ name: String, _ index: Int) -> Finding {
            context.finding(
                .undeclaredTool, .warning, at: index, "the history calls '\(name)', which the tool declaration does not list",
                fix: "declare every tool the history uses, or drop those calls: undeclared calls invite hallucinated ones")
        }
        var position = 0
        for message in prompt.structure.messages {
            for call in message.toolCalls {
                defer { position += 1 }
                let expectedName = position < requestCalls.count ? requestCalls[position] : nil
                if call.complete, (try? JSONReader.parseValue(Array(call.arguments.utf8))) == nil {
                    findings.append(
                        context.finding(
                            .malformedStructure, .error, at: call.start,
                            "the arguments of tool call '\(call.id)' are not valid JSON: \(call.arguments.prefix(60))",
                            fix: "tool-call arguments must be one JSON object"))
                }
                guard let (name, index) = ToolCallID.parseStandard(call.id) else {
                    findings.append(
                        context.finding(
                            .nonstandardToolCallID, .warning, at: call.start, "tool-call ID '\(call.id)' is not functions.NAME:IDX",
                            fix: "rewrite history IDs to functions.\(expectedName ?? "NAME"):\(position) (kimi-tok normalize-ids); Kimi K2 learned that format")
                    )
                    if let declared, let expectedName, !declared.contains(expectedName) { findings.append(undeclared(expectedName, call.start)) }
                    continue
                }
                if let expectedName, expectedName != name {
                    findings.append(
                        context.finding(
                            .nonstandardToolCallID, .warning, at: call.start, "tool-call ID '\(call.id)' names '\(name)' but the call is to '\(expectedName)'",
                            fix: "use functions.\(expectedName):\(position)"))
                } else if index != position {
                    findings.append(
                        context.finding(
                            .nonstandardToolCallID, .warning, at: call.start,
                            "tool-call ID '\(call.id)' has index \(index) but it is call number \(position) of the conversation",
                            fix: "number calls in order from 0: functions.\(name):\(position)"))
                }
                if let declared, !declared.contains(name) { findings.append(undeclared(name, call.start)) }
            }
        }
        return findings
    }
}
