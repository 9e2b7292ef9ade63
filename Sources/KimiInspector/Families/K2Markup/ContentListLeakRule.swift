import KimiChatTemplate
import KimiTokenizer

/// Python reprs of content parts in message bodies (see ``ContentListLeakScan``), with what the
/// engine that built the prompt did to cause them when its diagnosis knows.
struct ContentListLeakRule: K2MarkupRule {
    let markers: KimiMarkers

    func findings(in context: PromptContext, _ prompt: K2MarkupPrompt) -> [Finding] {
        let stream = context.stream
        let cause = context.engineCause(of: .contentListLeak)
        var findings: [Finding] = []
        var scan = ContentListLeakScan(request: context.options.request)
        for message in prompt.structure.messages where !message.body.isEmpty {
            let bytes = stream.bytes(message.body)
            guard let offset = scan.leak(in: bytes) else { continue }
            let text = ContentListLeakScan.message("\(message.role) message '\(message.name)'", bytes, at: offset)
            findings.append(
                context.finding(
                    .contentListLeak, .error, at: stream.token(atByte: offset, in: message.body),
                    cause.map { "\(text) (\($0.note))" } ?? text, fix: cause?.fix ?? ContentListLeakScan.fix))
        }
        return findings
    }
}
