import KimiChatTemplate
import KimiTokenizer

/// Assistant messages whose tool calls sit inside a `<think>` that was never closed: engines
/// then parse the calls as reasoning. Only where the vocabulary names `<think>` (K2.5).
struct ReasoningRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        guard let thinkBegin = markers.thinkBegin, let thinkEnd = markers.thinkEnd else { return [] }
        let stream = context.stream
        var findings: [Finding] = []
        for message in prompt.structure.messages where message.role == "assistant" && !message.toolCalls.isEmpty {
            guard let firstCall = message.toolCalls.first?.start else { continue }
            var open: Int?
            for index in message.body.lowerBound..<firstCall {
                if stream.ids[index] == thinkBegin { open = index } else if stream.ids[index] == thinkEnd { open = nil }
            }
            guard let open else { continue }
            findings.append(
                context.finding(
                    .toolCallInReasoning, .error, at: open,
                    "the assistant message's tool calls sit inside a <think> that is not closed before them; engines parse them as reasoning, not as calls",
                    fix: "close the reasoning with </think> before the tool-call section (render reasoning_content separately from the calls)"))
        }
        return findings
    }
}
