import KimiChatTemplate

/// Special-token strings anywhere a message's author wrote (content and its parts,
/// `reasoning_content`, tool-call arguments as string or object, tool results): a
/// prompt-injection path where the prompt is encoded whole, and only a risk for engines that
/// encode the joined text where the family encodes segment by segment.
struct SpecialTokensInContentRule: PromptRule {
    func findings(in context: PromptContext) -> [Finding] {
        guard let request = context.options.request else { return [] }
        var findings: [Finding] = []
        for (index, message) in request.messages.enumerated() {
            guard let view = MessageView(message) else { continue }
            var fields: [(String, Value)] = []
            if let content = view.content { fields.append(("content", content)) }
            if let reasoning = view.reasoningContent { fields.append(("reasoning_content", reasoning)) }
            for (callIndex, call) in view.toolCalls.enumerated() {
                if let arguments = call.arguments { fields.append(("tool call \(callIndex) arguments", arguments)) }
            }
            for (field, value) in fields {
                for text in MarkerScan.strings(in: [value]) {
                    for (_, name) in MarkerScan.candidates(in: Array(text.utf8), plainNames: context.plainNames)
                    where context.tokenizer.specialTokens.id(named: name) != nil {
                        findings.append(finding(context, index, view.role ?? "?", field, name))
                    }
                }
            }
        }
        return findings
    }

    private func finding(_ context: PromptContext, _ index: Int, _ role: String, _ field: String, _ name: String) -> Finding {
        switch context.encoding {
        case .joined:
            Finding(
                code: .specialTokenInContent, severity: .warning, messageIndex: index,
                message: "message \(index) (\(role)) \(field) contains \(name), which the tokenizer turns into the real control token",
                fix: "escape or strip special-token strings from untrusted content before rendering (a prompt-injection path)")
        case .segmentWise:
            Finding(
                code: .specialTokenInContent, severity: .info, messageIndex: index,
                message:
                    "message \(index) (\(role)) \(field) contains \(name), which K3's segment-wise encoding keeps as text (an engine that encodes the joined prompt makes it a control token)",
                fix: "nothing to fix for a segment-wise engine; check the engine with kimi-tok compare")
        }
    }
}
