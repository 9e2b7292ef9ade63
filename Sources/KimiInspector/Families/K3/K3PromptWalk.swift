import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// One pass over a Kimi K3 token stream, reading its XTML structure: opens and closes balance
/// and nest, each message ends with `<|close|>message<|sep|><|end_of_msg|>`, tool calls name a
/// declared `tool` and carry an `index` equal to their position, no control token sits where
/// text belongs, no marker is spelled as text where a control token belongs, and no K2 marker
/// appears. The rules of ``K3Inspection`` read its findings and the elements left open.
struct K3PromptWalk {
    /// One open element while the stream is read.
    struct OpenElement {
        let tag: XTMLText.Tag
        let start: Int
        var calls = 0
    }

    private(set) var findings: [Finding] = []
    /// The elements still open at the end of the stream, outermost first.
    private(set) var open: [OpenElement] = []

    /// The walk of `context`'s stream (made once per check, shared by the rules).
    static func of(_ context: PromptContext, markers: K3Markers) -> K3PromptWalk {
        context.derived { K3PromptWalk(context, markers: markers) }
    }

    private init(_ context: PromptContext, markers: K3Markers) {
        let ids = context.stream.ids
        let options = context.options
        let stream = context.stream
        var findings: [Finding] = []
        func report(_ code: FindingCode, _ severity: Finding.Severity, _ index: Int?, _ message: String, _ fix: String) {
            findings.append(context.finding(code, severity, at: index, message, fix: fix))
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
                        Self.checkCall(tag, position: stack[parent].calls, at: index, declared: declared, report: report)
                    }
                    stack.append(OpenElement(tag: tag, start: index))
                } else {
                    let name = tagText
                    if let top = stack.last, top.tag.name == name {
                        stack.removeLast()
                        if name == "message" {
                            if stack.isEmpty { lastClosedMessage = end }
                            if top.tag["type"] == "tool-declare" { declared = (declared ?? []).union(Self.declaredNames(stream.text(top.start..<index))) }
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
                let bytes = stream.bytes(index..<end)
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
        self.findings = findings
        open = stack
    }

    private static func checkCall(
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
    private static func declaredNames(_ text: String) -> Set<String> {
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
