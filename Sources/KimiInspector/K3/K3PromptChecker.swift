import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// Diagnoses a Kimi K3 token stream: the XTML structure (opens and closes balance and nest,
/// each message ends with `<|close|>message<|sep|><|end_of_msg|>`), the generation prompt, tool
/// calls (a declared `tool`, an `index` equal to the call's position), control tokens where text
/// belongs (what segment-wise encoding prevents), markers spelled as text where a control token
/// belongs, K2 markers in a K3 prompt, and a prompt encoded as joined text rather than segment
/// by segment.
struct K3PromptChecker: Sendable {
    let tokenizer: KimiTokenizer
    let markers: K3Markers

    /// One open element while the stream is read.
    private struct OpenElement {
        let tag: XTMLText.Tag
        let start: Int
        var calls = 0
    }

    func check(
        _ ids: [Int], options: PromptChecker.Options, finding: (FindingCode, Finding.Severity, TokenStream, Int?, String, String) -> Finding
    )
        -> [Finding]
    {
        let stream = TokenStream(ids: ids, tokenizer: tokenizer)
        var findings: [Finding] = []
        func report(_ code: FindingCode, _ severity: Finding.Severity, _ index: Int?, _ message: String, _ fix: String) {
            findings.append(finding(code, severity, stream, index, message, fix))
        }
        var stack: [OpenElement] = []
        var leaks = ContentListLeakScan(request: options.request)
        var declared: Set<String>?
        var lastClosedMessage: Int?
        var index = 0
        while index < stream.count {
            let id = ids[index]
            if id == markers.open || id == markers.close {
                var end = index + 1
                while end < stream.count, !markers.isStructural(ids[end]) { end += 1 }
                let tagText = stream.text(index + 1..<end)
                guard end < stream.count, ids[end] == markers.sep else {
                    if end < stream.count {
                        report(
                            .controlTokenInText, .error, index,
                            "\(stream.visible(index..<index + 1)) at token \(index) is not followed by a tag and <|sep|>: a control token where text belongs",
                            "encode text segments with special-token strings as ordinary text (K3's tokenizer class encodes each segment on its own)")
                    }
                    index = end
                    continue
                }
                if id == markers.open {
                    if let tag = XTMLText.parseTag(tagText), tag.name == "message", let outer = stack.last {
                        report(
                            .controlTokenInText, .error, index,
                            "<|open|>message at token \(index) opens a message inside the open \(outer.tag.name) element: control tokens where text belongs (a message pasted into a user's text, encoded as control tokens?)",
                            "encode text segments with special-token strings as ordinary text (K3's tokenizer class encodes each segment on its own)")
                    }
                    guard let tag = XTMLText.parseTag(tagText), XTMLText.elements.contains(tag.name) else {
                        report(
                            .controlTokenInText, .error, index,
                            "<|open|> at token \(index) opens '\(tagText.prefix(40))', which is no XTML element: a control token where text belongs (a user's <|open|> encoded as the control token?)",
                            "encode text segments with special-token strings as ordinary text (K3's tokenizer class encodes each segment on its own)")
                        index = end + 1
                        continue
                    }
                    if tag.name == "call", let parent = stack.indices.last, stack[parent].tag.name == "tools" {
                        stack[parent].calls += 1
                        checkCall(tag, position: stack[parent].calls, at: index, declared: declared, report: report)
                    }
                    stack.append(OpenElement(tag: tag, start: index))
                } else {
                    let name = tagText
                    if let top = stack.last, top.tag.name == name {
                        stack.removeLast()
                        if name == "message" {
                            if stack.isEmpty { lastClosedMessage = end }
                            if top.tag["type"] == "tool-declare" { declared = (declared ?? []).union(declaredNames(stream.text(top.start..<index))) }
                            if end + 1 < stream.count, ids[end + 1] != markers.endOfMessage {
                                report(
                                    .malformedStructure, .error, end + 1,
                                    "the \(top.tag["role"] ?? "?") message closed at token \(index) is not followed by <|end_of_msg|>",
                                    "end every message with <|close|>message<|sep|><|end_of_msg|>")
                            }
                        }
                    } else if XTMLText.elements.contains(name) {
                        report(
                            .malformedStructure, .error, index,
                            "<|close|>\(name)<|sep|> at token \(index) closes \(name) but \(stack.last.map { "'\($0.tag.name)'" } ?? "nothing") is open",
                            "close elements in the order they were opened")
                    } else {
                        report(
                            .controlTokenInText, .error, index,
                            "<|close|> at token \(index) closes '\(name.prefix(40))', which is no XTML element: a control token where text belongs",
                            "encode text segments with special-token strings as ordinary text")
                    }
                }
                index = end + 1
                continue
            }
            if id == markers.endOfMessage {
                if let open = stack.last {
                    report(
                        .controlTokenInText, .error, index,
                        "<|end_of_msg|> at token \(index) is inside the open \(open.tag.name) element: a control token where text belongs (a user's <|end_of_msg|> encoded as the control token?)",
                        "encode text segments with special-token strings as ordinary text (K3's tokenizer class encodes each segment on its own)")
                } else if lastClosedMessage != index - 1 {
                    report(
                        .malformedStructure, .error, index, "<|end_of_msg|> at token \(index) does not follow a closed message",
                        "<|end_of_msg|> comes right after <|close|>message<|sep|>")
                }
                index += 1
                continue
            }
            if id == markers.sep {
                report(
                    .controlTokenInText, .error, index, "<|sep|> at token \(index) ends no tag: a control token where text belongs",
                    "encode text segments with special-token strings as ordinary text")
                index += 1
                continue
            }
            if !stream.isSpecial[index], stream.isKnown[index] {
                var end = index
                while end < stream.count, !stream.isSpecial[end], stream.isKnown[end] { end += 1 }
                let text = stream.text(index..<end)
                let bytes = Array(stream.pieces[index..<end].joined())
                if !stack.isEmpty, let offset = leaks.leak(in: bytes) {
                    let role = stack.last { $0.tag.name == "message" }?.tag["role"] ?? "?"
                    let element = stack.last.map(\.tag.name) ?? "message"
                    report(
                        .contentListLeak, .error, stream.token(atByte: offset, in: index..<end),
                        ContentListLeakScan.message(element == "message" ? "\(role) message" : "\(role) message's \(element) element", bytes, at: offset),
                        ContentListLeakScan.fix)
                }
                if stack.isEmpty {
                    if let marker = K3Markers.names.first(where: text.contains) {
                        report(
                            .specialTokenAsText, .error, index, "\(marker) is spelled with ordinary tokens where a control token belongs (outside any message)",
                            "encode control segments with special tokens allowed")
                    } else if !text.allSatisfy(\.isWhitespace) {
                        report(
                            .malformedStructure, .error, index, "text '\(text.prefix(30))' outside any message",
                            "every part of a K3 prompt belongs to a <|open|>message …<|close|>message<|sep|><|end_of_msg|> element")
                    }
                }
                for marker in ["<|im_end|>", "<|im_user|>", "<|im_assistant|>", "<|im_system|>", "<|im_middle|>", "<|tool_calls_section_begin|>"]
                where text.contains(marker) {
                    report(
                        .foreignChatMarker, .warning, index, "\(marker), a Kimi K2 chat marker, appears in a K3 prompt",
                        "K3 prompts are XTML: render them with K3's own builder (kimi-tok render with a K3 model directory), not a K2 template")
                    break
                }
                index = end
                continue
            }
            index += 1
        }
        endOfStream(stack, stream, options, report: report)
        joinedTextEncoding(ids, stream, options, report: report)
        return findings
    }

    /// Open elements at the end: the generation prompt is expected (and nothing else).
    private func endOfStream(
        _ stack: [OpenElement], _ stream: TokenStream, _ options: PromptChecker.Options,
        report: (FindingCode, Finding.Severity, Int?, String, String) -> Void
    ) {
        let ids = stream.ids
        let thinking = ids.reversed().starts(with: markers.thinkingGenerationPrompt.reversed())
        let response = ids.reversed().starts(with: markers.responseGenerationPrompt.reversed())
        if options.expectGenerationPrompt {
            if !thinking, !response {
                report(
                    .missingGenerationPrompt, .error, stream.count,
                    "the stream does not end with K3's generation prompt <|open|>message role=\"assistant\"<|sep|><|open|>think<|sep|> (or …response<|sep|> without thinking); it ends with \(stream.count > 0 ? stream.visible(max(0, stream.count - 3)..<stream.count) : "nothing")",
                    "render with add_generation_prompt=True (K3's tokenizer class does by default)")
            } else {
                let start = stream.count - (thinking ? markers.thinkingGenerationPrompt : markers.responseGenerationPrompt).count
                let mode = thinking ? "<|open|>think<|sep|> (thinking)" : "<|open|>response<|sep|> (thinking off)"
                report(.generationPrompt, .info, start, "the prompt ends with the K3 generation prompt \(mode)", "nothing to fix")
                let requested = options.thinking ?? true
                if requested != thinking {
                    report(
                        .thinkingModeMismatch, .warning, start, "the prompt ends with \(mode) but thinking=\(requested) was requested",
                        "pass thinking=\(requested) to the tokenizer class (chat_template_kwargs)")
                }
            }
        }
        let unclosed = options.expectGenerationPrompt && (thinking || response) ? Array(stack.dropLast(2)) : stack
        for element in unclosed {
            report(
                .malformedStructure, .error, element.start, "the \(element.tag.name) element opened at token \(element.start) is never closed",
                "close every element with <|close|>NAME<|sep|>")
        }
    }

    /// The stream is the joined text's encoding, not the segment-wise one K3 was trained on.
    private func joinedTextEncoding(
        _ ids: [Int], _ stream: TokenStream, _ options: PromptChecker.Options,
        report: (FindingCode, Finding.Severity, Int?, String, String) -> Void
    ) {
        guard stream.isKnown.allSatisfy({ $0 }) else { return }
        let text = stream.text(0..<stream.count)
        let segments = options.referenceSegments ?? XTMLText.segments(of: text)
        guard let segmentWise = try? tokenizer.encode(segments: segments), segmentWise != ids,
            let joined = try? tokenizer.encode(segments.map(\.text).joined(), mode: .hf), joined == ids
        else { return }
        let first = zip(ids, segmentWise).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ids.count, segmentWise.count)
        report(
            .joinedTextEncoding, .error, first,
            "the IDs are the encoding of the joined prompt text, not K3's segment-by-segment encoding (they first differ at token \(first): \(stream.visible(first..<min(first + 3, stream.count))))",
            "encode each segment on its own (K3's tokenizer class apply_chat_template does; an engine that renders K3 from a Jinja port must not encode the joined string)"
        )
    }

    private func checkCall(
        _ tag: XTMLText.Tag, position: Int, at index: Int, declared: Set<String>?,
        report: (FindingCode, Finding.Severity, Int?, String, String) -> Void
    ) {
        if tag["index"] != String(position) {
            report(
                .callIndexMismatch, .error, index,
                "the call at token \(index) has index=\"\(tag["index"] ?? "")\" but is call number \(position) of its message",
                "number calls from 1 in the order they are made")
        }
        if let declared, let name = tag["tool"], !declared.contains(name) {
            report(
                .undeclaredTool, .warning, index, "the history calls '\(name)', which the tool declaration does not list",
                "declare every tool the history uses, or drop those calls")
        }
    }

    /// Function names of a K3 tool declaration (`\`\`\`json [...] \`\`\``).
    private func declaredNames(_ text: String) -> Set<String> {
        guard let start = text.range(of: "```json\n"), let end = text.range(of: "\n```", range: start.upperBound..<text.endIndex),
            case let .array(tools)? = try? JSONReader.parse(Array(text[start.upperBound..<end.lowerBound].utf8))
        else { return [] }
        var names: Set<String> = []
        for tool in tools {
            if case let .string(name)? = tool["function"]?["name"] ?? tool["name"] { names.insert(name) }
        }
        return names
    }
}
