import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// Diagnoses a Kimi token stream: the failures that broke tool calling on engines, and others.
public struct PromptChecker: Sendable {
    public let tokenizer: KimiTokenizer
    /// The K2 / K2.5 chat markers (`nil` for Kimi K3, whose prompts are XTML).
    public let markers: KimiMarkers?
    private let k3: K3PromptChecker?
    /// The family whose chat format the stream should follow.
    public let family: ModelFamily
    /// Special-token names that are not `<|…|>` markers (`[EOS]`, `<think>`, ...), which the
    /// text scan looks for too.
    private let plainNames: [String]

    public struct Options: Sendable {
        /// Whether the stream must end with the generation prompt (on by default).
        public var expectGenerationPrompt = true
        /// The request the stream was rendered from, if known (enables the request checks).
        public var request: ChatRequest?
        /// Tools declared to the engine (from the request or `--tools`), if known.
        public var tools: [Value]?
        /// The `thinking` the prompt was rendered with (K2.5, K3); `nil` is the family's default, on.
        public var thinking: Bool?
        /// For K3, the reference's segments of the request, to tell a segment-wise encoding from
        /// the joined text's (without them, the segments are read back from the prompt's text).
        public var referenceSegments: [PromptSegment]?
        /// The declaration the given tools render to (``ChatRenderer/toolDeclaration(_:variables:)``),
        /// which the prompt's `tool_declare` message must equal.
        public var expectedToolDeclaration: String?

        public init(
            expectGenerationPrompt: Bool = true, request: ChatRequest? = nil, tools: [Value]? = nil,
            thinking: Bool? = nil, referenceSegments: [PromptSegment]? = nil, expectedToolDeclaration: String? = nil
        ) {
            self.expectedToolDeclaration = expectedToolDeclaration
            self.expectGenerationPrompt = expectGenerationPrompt
            self.request = request
            self.tools = tools ?? request?.tools
            self.thinking = thinking
            self.referenceSegments = referenceSegments
        }
    }

    /// A checker for `tokenizer`'s vocabulary; `nil` if it lacks the Kimi chat markers. `family`
    /// defaults to what the special tokens give away (`<think>` as a special token is K2.5's).
    public init?(tokenizer: KimiTokenizer, family: ModelFamily? = nil) {
        let family = family ?? ModelFamily.detect(modelType: nil, specialTokenNames: tokenizer.specialTokens.names)
        if family == .k3 {
            guard let k3 = K3Markers(tokenizer) else { return nil }
            self.k3 = K3PromptChecker(tokenizer: tokenizer, markers: k3)
            markers = nil
        } else {
            guard let markers = KimiMarkers(tokenizer) else { return nil }
            self.markers = markers
            k3 = nil
        }
        self.tokenizer = tokenizer
        self.family = family
        plainNames = tokenizer.specialTokens.names.filter { !$0.hasPrefix("<|") && ($0.hasPrefix("[") || $0.hasPrefix("<")) }
    }

    /// Every finding for `ids`, in stream order.
    public func check(_ ids: [Int], options: Options = Options()) -> [Finding] {
        if let k3 {
            var findings = k3.check(ids, options: options, finding: finding)
            findings += idsOutsideEmbedding(TokenStream(ids: ids, tokenizer: tokenizer))
            if let request = options.request {
                // Segment-wise, such strings stay text; they are a risk only for engines that
                // encode the joined prompt.
                findings += specialTokensInContent(request).map { found in
                    Finding(
                        code: found.code, severity: .info, tokenIndex: found.tokenIndex, characterOffset: found.characterOffset,
                        messageIndex: found.messageIndex,
                        message: found.message.replacingOccurrences(
                            of: "which the tokenizer turns into the real control token",
                            with: "which K3's segment-wise encoding keeps as text (an engine that encodes the joined prompt makes it a control token)"),
                        fix: "nothing to fix for a segment-wise engine; check the engine with kimi-tok compare")
                }
            }
            return findings.sorted { ($0.tokenIndex ?? -1, $0.code.rawValue) < ($1.tokenIndex ?? -1, $1.code.rawValue) }
        }
        guard let markers else { return [] }
        let stream = TokenStream(ids: ids, tokenizer: tokenizer)
        let structure = PromptStructure(stream, markers: markers)
        var findings = structure.findings
        if let bos = tokenizer.specialTokens.id(named: "[BOS]"), ids.first == bos {
            findings.removeAll { $0.code == .malformedStructure && $0.tokenIndex == 0 }
            findings.append(
                finding(
                    .leadingBOS, .warning, stream, 0,
                    "the stream starts with [BOS] (\(bos)), which Kimi's chat format does not have (llama.cpp adds one by default)",
                    "do not add a BOS token for Kimi: llama.cpp --override-kv tokenizer.ggml.add_bos_token=bool:false, or add_special_tokens=False"))
        }
        findings += idsOutsideEmbedding(stream)
        if options.expectGenerationPrompt { findings += generationPromptFindings(stream, options) }
        findings += markersInText(stream)
        findings += contentListLeaks(stream, structure, options)
        findings += toolCallFindings(stream, structure, options)
        findings += reasoningFindings(stream, structure)
        findings += mediaFindings(stream)
        if let request = options.request { findings += specialTokensInContent(request) }
        return findings.sorted { ($0.tokenIndex ?? -1, $0.code.rawValue) < ($1.tokenIndex ?? -1, $1.code.rawValue) }
    }

    /// The text of `prompt`, encoded as engines do, then checked.
    public func check(prompt: String, options: Options = Options()) throws -> [Finding] {
        check(try tokenizer.encode(prompt, mode: .hf), options: options)
    }

    private func finding(
        _ code: FindingCode, _ severity: Finding.Severity, _ stream: TokenStream, _ index: Int?,
        _ message: String, _ fix: String
    ) -> Finding {
        Finding(
            code: code, severity: severity, tokenIndex: index,
            characterOffset: index.map { stream.characterOffsets[min($0, stream.count)] }, message: message, fix: fix)
    }

    private func idsOutsideEmbedding(_ stream: TokenStream) -> [Finding] {
        stream.ids.indices.compactMap { index in
            let id = stream.ids[index]
            if !stream.isKnown[index] {
                return finding(
                    .idOutsideEmbedding, .error, stream, index,
                    "ID \(id) is not in the vocabulary (valid IDs are 0...\(tokenizer.tokenCount - 1))",
                    "the engine used another tokenizer or corrupted the IDs; re-tokenize with the Kimi vocabulary")
            }
            if id >= KimiMarkers.embeddingSize {
                return finding(
                    .idOutsideEmbedding, .error, stream, index,
                    "ID \(id) (\(stream.visible(index..<index + 1))) is at or beyond the model's embedding size \(KimiMarkers.embeddingSize)",
                    "the model has no embedding for it; remove the reserved token from the prompt")
            }
            return nil
        }
    }

    private func generationPromptFindings(_ stream: TokenStream, _ options: Options) -> [Finding] {
        family == .k25 ? k25GenerationPrompt(stream, options) : missingGenerationPrompt(stream)
    }

    private func missingGenerationPrompt(_ stream: TokenStream) -> [Finding] {
        guard let markers else { return [] }
        // K2 thinking models' templates open the reasoning (as text) right after the header.
        var end = stream.count
        let tail = stream.count > 0 ? stream.text(max(0, stream.count - 6)..<stream.count) : ""
        for opener in ["<think></think>", "<think>"] where tail.hasSuffix(opener) {
            var bytes = 0
            while end > 0, bytes < opener.utf8.count, !stream.isSpecial[end - 1] {
                end -= 1
                bytes += stream.pieces[end].count
            }
            if bytes != opener.utf8.count { end = stream.count }
            break
        }
        guard !stream.ids[..<end].reversed().starts(with: markers.generationPrompt.reversed()) else { return [] }
        return [missing(stream, expected: "<|im_assistant|>assistant<|im_middle|> (\(markers.generationPrompt.map(String.init).joined(separator: " ")))")]
    }

    private func missing(_ stream: TokenStream, expected: String) -> Finding {
        let ending = stream.count > 0 ? stream.visible(max(0, stream.count - 3)..<stream.count) : "nothing"
        return finding(
            .missingGenerationPrompt, .error, stream, stream.count,
            "the stream does not end with \(expected); it ends with \(ending)",
            "pass add_generation_prompt=True when rendering (vLLM/SGLang: the chat endpoint does; raw /completions must add it)")
    }

    /// K2.5 ends a prompt with the header and `<think>` (thinking) or `<think></think>` (not).
    private func k25GenerationPrompt(_ stream: TokenStream, _ options: Options) -> [Finding] {
        guard let markers else { return [] }
        let prompts = markers.generationPrompts(for: .k25)
        guard let (ids, thinking) = prompts.first(where: { stream.ids.reversed().starts(with: $0.ids.reversed()) }),
            let thinking
        else {
            // In the order the text names them: thinking (<think>), then not (<think></think>).
            let spelled = [true, false].compactMap { mode in prompts.first { $0.thinking == mode } }
                .map { $0.ids.map(String.init).joined(separator: " ") }.joined(separator: " or ")
            var finding = missing(stream, expected: "a K2.5 generation prompt, <|im_assistant|>assistant<|im_middle|><think> or …<think></think> (\(spelled))")
            if stream.ids.reversed().starts(with: markers.generationPrompt.reversed()) {
                finding = self.finding(
                    .missingGenerationPrompt, .error, stream, stream.count,
                    "the stream ends with the assistant header but not with <think> (thinking) or <think></think> (not thinking), which the K2.5 template adds",
                    "render with K2.5's own template and tokenizer class (trust_remote_code), which end the prompt with <think>")
            }
            return [finding]
        }
        let start = stream.count - ids.count
        let mode = thinking ? "<think> (thinking)" : "<think></think> (thinking off)"
        var findings = [
            finding(
                .generationPrompt, .info, stream, start, "the prompt ends with the K2.5 generation prompt \(mode)",
                "nothing to fix; pass thinking=\(!thinking) to get the other mode")
        ]
        let requested = options.thinking ?? true
        if requested != thinking {
            findings.append(
                finding(
                    .thinkingModeMismatch, .warning, stream, start,
                    "the prompt ends with \(mode) but thinking=\(requested) was requested\(options.thinking == nil ? " (the K2.5 default)" : "")",
                    "pass chat_template_kwargs {\"thinking\": \(requested)} to the engine, or check which mode you meant"))
        }
        return findings
    }

    /// Runs of ordinary tokens: special-token names spelled as text, and unknown `<|…|>` markers.
    private func markersInText(_ stream: TokenStream) -> [Finding] {
        var findings: [Finding] = []
        var index = 0
        while index < stream.count {
            guard !stream.isSpecial[index], stream.isKnown[index] else { index += 1; continue }
            var end = index
            while end < stream.count, !stream.isSpecial[end], stream.isKnown[end] { end += 1 }
            let bytes = Array(stream.pieces[index..<end].joined())
            for (offset, name) in Self.markerCandidates(in: bytes, plainNames: plainNames) {
                let token = stream.token(atByte: offset, in: index..<end)
                if tokenizer.specialTokens.id(named: name) != nil {
                    findings.append(
                        finding(
                            .specialTokenAsText, .error, stream, token,
                            "\(name) appears as ordinary text tokens, not as its special ID \(tokenizer.specialTokens.id(named: name) ?? 0)",
                            "tokenize with special tokens allowed (the Kimi tokenizer's default); do not escape or split special-token strings"))
                } else if name.hasPrefix("<|") {
                    findings.append(
                        finding(
                            .unknownSpecialMarker, .warning, stream, token,
                            "\(name) looks like a special token but is not in this model's vocabulary",
                            Self.unknownMarkerFix(name, tokenizer.specialTokens.names)))
                }
            }
            index = end
        }
        return findings
    }

    /// The fix for a marker the vocabulary lacks: the known markers whose names are closest, never
    /// the unknown marker itself, and a word when another Kimi family has it.
    static func unknownMarkerFix(_ name: String, _ names: [String]) -> String {
        let otherFamilies: [String: String] = [
            "<|media_begin|>": "Kimi K2.5/K2.6", "<|media_content|>": "Kimi K2.5/K2.6", "<|media_end|>": "Kimi K2.5/K2.6",
            "<|media_pad|>": "Kimi K2.5/K2.6", "<|open|>": "Kimi K3", "<|close|>": "Kimi K3", "<|sep|>": "Kimi K3",
            "<|end_of_msg|>": "Kimi K3",
        ]
        let stem = name.trimmingCharacters(in: CharacterSet(charactersIn: "<|>")).split(separator: "_").first.map(String.init) ?? ""
        let similar = names.filter { $0 != name && !$0.hasPrefix("<|reserved_token_") && !stem.isEmpty && $0.contains(stem) }.prefix(3)
        var fix =
            otherFamilies[name].map { "\(name) is a \($0) token: use that model's directory (--model-dir), or remove it" }
            ?? "remove it, or use a marker this vocabulary has"
        if !similar.isEmpty { fix += " (similar names here: \(similar.joined(separator: ", ")))" }
        return fix
    }

    /// `<|…|>` candidates (up to 64 bytes) and the vocabulary's other names (`[EOS]`, `<think>`),
    /// with their byte offsets.
    static func markerCandidates(in bytes: [UInt8], plainNames: [String] = ["[BOS]", "[EOS]", "[EOT]", "[UNK]", "[PAD]"]) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "|") {
                var end = index + 2
                while end + 1 < bytes.count, end - index < 64,
                    !(bytes[end] == UInt8(ascii: "|") && bytes[end + 1] == UInt8(ascii: ">")),
                    bytes[end] != UInt8(ascii: "<"), bytes[end] >= 0x21
                {
                    end += 1
                }
                if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "|"), bytes[end + 1] == UInt8(ascii: ">"), end > index + 2 {
                    result.append((index, String(decoding: bytes[index..<end + 2], as: UTF8.self)))
                    index = end + 2
                    continue
                }
            }
            if bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "<") {
                for name in plainNames where bytes[index...].starts(with: name.utf8) {
                    result.append((index, name))
                }
            }
            index += 1
        }
        return result
    }

    /// Python reprs of content parts in message bodies (see ``ContentListLeakScan``).
    private func contentListLeaks(_ stream: TokenStream, _ structure: PromptStructure, _ options: Options) -> [Finding] {
        var findings: [Finding] = []
        var scan = ContentListLeakScan(request: options.request)
        for message in structure.messages where !message.body.isEmpty {
            let bytes = Array(stream.pieces[message.body].joined())
            guard let offset = scan.leak(in: bytes) else { continue }
            findings.append(
                finding(
                    .contentListLeak, .error, stream, stream.token(atByte: offset, in: message.body),
                    ContentListLeakScan.message("\(message.role) message '\(message.name)'", bytes, at: offset), ContentListLeakScan.fix))
        }
        return findings
    }

    /// Every string anywhere in the messages (content, parts, reasoning, arguments, results).
    static func requestStrings(_ values: [Value]) -> [String] {
        var strings: [String] = []
        func collect(_ value: Value) {
            switch value {
            case let .string(text): strings.append(text)
            case let .list(box): box.items.forEach(collect)
            case let .dict(box): box.values.forEach(collect)
            default: break
            }
        }
        values.forEach(collect)
        return strings
    }

    /// The NAME and IDX of a `functions.NAME:IDX` ID.
    public static func parseStandardID(_ id: String) -> (name: String, index: Int)? {
        guard id.hasPrefix("functions."), let colon = id.lastIndex(of: ":") else { return nil }
        let name = id[id.index(id.startIndex, offsetBy: 10)..<colon]
        let digits = id[id.index(after: colon)...]
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == ":" }),
            !digits.isEmpty, digits.allSatisfy(\.isASCII), let index = Int(digits), index >= 0,
            digits.allSatisfy({ $0.isNumber })
        else { return nil }
        return (String(name), index)
    }

    private func toolCallFindings(_ stream: TokenStream, _ structure: PromptStructure, _ options: Options) -> [Finding] {
        var findings: [Finding] = []
        let requestCalls = options.request.map(Self.requestToolCalls) ?? []
        let declaration = structure.messages.first { $0.role == "system" && $0.name == "tool_declare" }
        var declared: Set<String>?
        if let declaration {
            declared = Self.declaredNames(stream.text(declaration.body))
            // A K2.5 declaration written as JSON differs from the TypeScript one for that reason
            // alone: one finding names it, not two.
            let json = jsonDeclaration(stream, declaration.body, options)
            if let json { findings.append(json) }
            if json == nil, let expected = options.expectedToolDeclaration, stream.text(declaration.body) != expected {
                let actual = Array(stream.text(declaration.body).unicodeScalars)
                let wanted = Array(expected.unicodeScalars)
                let first = zip(actual, wanted).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, wanted.count)
                let near = String(String.UnicodeScalarView(actual.dropFirst(max(0, first - 10)).prefix(40)))
                findings.append(
                    finding(
                        .toolDeclarationMismatch, .error, stream, declaration.body.lowerBound,
                        "the tool declaration is not the one the given tools render to: it differs at character \(first) (\(near.debugDescription))",
                        "declare exactly the tools the request sends, rendered by the model's own template and tokenizer class"))
            }
        } else if let tools = options.tools, !tools.isEmpty {
            findings.append(
                finding(
                    .toolDeclarationMissing, .error, stream, nil,
                    "\(tools.count) tool(s) were given but the prompt has no <|im_system|>tool_declare<|im_middle|> block",
                    "pass the tools to the chat template (tools=...) so the model can see them"))
        }
        var position = 0
        for message in structure.messages {
            for call in message.toolCalls {
                defer { position += 1 }
                let expectedName = position < requestCalls.count ? requestCalls[position] : nil
                if call.complete, (try? JSONReader.parseValue(Array(call.arguments.utf8))) == nil {
                    findings.append(
                        finding(
                            .malformedStructure, .error, stream, call.start,
                            "the arguments of tool call '\(call.id)' are not valid JSON: \(call.arguments.prefix(60))",
                            "tool-call arguments must be one JSON object"))
                }
                guard let (name, index) = Self.parseStandardID(call.id) else {
                    findings.append(
                        finding(
                            .nonstandardToolCallID, .warning, stream, call.start,
                            "tool-call ID '\(call.id)' is not functions.NAME:IDX",
                            "rewrite history IDs to functions.\(expectedName ?? "NAME"):\(position) (kimi-tok normalize-ids); Kimi K2 learned that format"))
                    if let declared, let expectedName, !declared.contains(expectedName) {
                        findings.append(undeclared(expectedName, stream, call.start))
                    }
                    continue
                }
                if let expectedName, expectedName != name {
                    findings.append(
                        finding(
                            .nonstandardToolCallID, .warning, stream, call.start,
                            "tool-call ID '\(call.id)' names '\(name)' but the call is to '\(expectedName)'",
                            "use functions.\(expectedName):\(position)"))
                } else if index != position {
                    findings.append(
                        finding(
                            .nonstandardToolCallID, .warning, stream, call.start,
                            "tool-call ID '\(call.id)' has index \(index) but it is call number \(position) of the conversation",
                            "number calls in order from 0: functions.\(name):\(position)"))
                }
                if let declared, !declared.contains(name) { findings.append(undeclared(name, stream, call.start)) }
            }
        }
        return findings
    }

    /// K2.5 assistant messages whose tool calls sit inside a `<think>` that was never closed:
    /// engines then parse the calls as reasoning.
    private func reasoningFindings(_ stream: TokenStream, _ structure: PromptStructure) -> [Finding] {
        guard let markers else { return [] }
        guard let thinkBegin = markers.thinkBegin, let thinkEnd = markers.thinkEnd else { return [] }
        var findings: [Finding] = []
        for message in structure.messages where message.role == "assistant" && !message.toolCalls.isEmpty {
            guard let firstCall = message.toolCalls.first?.start else { continue }
            var open: Int?
            for index in message.body.lowerBound..<firstCall {
                if stream.ids[index] == thinkBegin { open = index } else if stream.ids[index] == thinkEnd { open = nil }
            }
            guard let open else { continue }
            findings.append(
                finding(
                    .toolCallInReasoning, .error, stream, open,
                    "the assistant message's tool calls sit inside a <think> that is not closed before them; engines parse them as reasoning, not as calls",
                    "close the reasoning with </think> before the tool-call section (render reasoning_content separately from the calls)"))
        }
        return findings
    }

    /// Media tokens outside `<|media_begin|>KIND<|media_content|><|media_pad|><|media_end|>`,
    /// the sequence the K2.5 template writes for an image.
    private func mediaFindings(_ stream: TokenStream) -> [Finding] {
        guard let markers else { return [] }
        guard let begin = markers.mediaBegin, let content = markers.mediaContent, let pad = markers.mediaPad,
            let end = markers.mediaEnd
        else { return [] }
        var findings: [Finding] = []
        var index = 0
        while index < stream.count {
            let id = stream.ids[index]
            guard markers.isMediaToken(id) else { index += 1; continue }
            if id == begin {
                var next = index + 1
                while next < stream.count, !stream.isSpecial[next] { next += 1 }
                if next > index + 1, next + 2 < stream.count, stream.ids[next] == content, stream.ids[next + 1] == pad, stream.ids[next + 2] == end {
                    index = next + 3
                    continue
                }
            }
            findings.append(
                finding(
                    .misplacedMediaToken, .warning, stream, index,
                    "\(stream.visible(index..<index + 1)) outside <|media_begin|>KIND<|media_content|><|media_pad|><|media_end|>, the sequence the K2.5 template writes for an image",
                    "send images as content parts ({\"type\": \"image_url\", ...}) and let the template place the media tokens"))
            index += 1
        }
        return findings
    }

    /// A K2.5 tool declaration written as JSON: the engine did not run the tokenizer class, which
    /// declares tools in TypeScript (unless its encoder fails on these tools).
    private func jsonDeclaration(_ stream: TokenStream, _ body: Range<Int>, _ options: Options) -> Finding? {
        guard family == .k25 else { return nil }
        let text = stream.text(body)
        guard let first = text.unicodeScalars.first, first == "[" || first == "{" else { return nil }
        var severity = Finding.Severity.warning
        var reason = "unless the TypeScript encoder failed on these tools"
        if let tools = options.tools, !tools.isEmpty {
            let sorted = tools.map(ToolDeclarationTS.sortingKeysDeep)
            guard let declaration = try? ToolDeclarationTS.declaration(of: sorted), !declaration.isEmpty else { return nil }
            severity = .error
            reason = "and it succeeds on the given tools"
        }
        return finding(
            .toolDeclarationJSON, severity, stream, body.lowerBound,
            "the tools are declared as JSON, but Kimi K2.5/K2.6's tokenizer class declares them in TypeScript (tools_ts_str), \(reason)",
            "load the tokenizer with trust_remote_code so that its apply_chat_template computes tools_ts_str (vLLM/SGLang do); kimi-tok render --tools-only shows the declaration"
        )
    }

    private func undeclared(_ name: String, _ stream: TokenStream, _ index: Int) -> Finding {
        finding(
            .undeclaredTool, .warning, stream, index,
            "the history calls '\(name)', which the tool declaration does not list",
            "declare every tool the history uses, or drop those calls: undeclared calls invite hallucinated ones")
    }

    /// Function names of a tool declaration: JSON (OpenAI tool objects or bare functions) or K2.5's
    /// TypeScript (`type NAME = (` lines inside `namespace functions`).
    static func declaredNames(_ text: String) -> Set<String>? {
        if text.hasPrefix("# Tools") {
            var names: Set<String> = []
            for line in text.split(separator: "\n") where line.hasPrefix("type ") {
                guard let equals = line.range(of: " = (") else { continue }
                names.insert(String(line[line.index(line.startIndex, offsetBy: 5)..<equals.lowerBound]))
            }
            return names
        }
        guard case let .list(tools)? = try? JSONReader.parseValue(Array(text.utf8)) else { return nil }
        var names: Set<String> = []
        for tool in tools.items {
            guard case let .dict(box) = tool else { continue }
            if case let .dict(function)? = box[.string("function")], case let .string(name)? = function[.string("name")] {
                names.insert(name)
            } else if case let .string(name)? = box[.string("name")] {
                names.insert(name)
            }
        }
        return names
    }

    /// The function names of the request's assistant tool calls, in order.
    static func requestToolCalls(_ request: ChatRequest) -> [String] {
        request.messages.flatMap { message -> [String] in
            guard case let .dict(box) = message, case let .list(calls)? = box[.string("tool_calls")] else { return [] }
            return calls.items.compactMap { call in
                guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.string("function")],
                    case let .string(name)? = function[.string("name")]
                else { return nil }
                return name
            }
        }
    }

    /// Special-token strings anywhere a message's author wrote: content and its parts,
    /// `reasoning_content`, tool-call arguments (string or object), tool results.
    private func specialTokensInContent(_ request: ChatRequest) -> [Finding] {
        var findings: [Finding] = []
        for (index, message) in request.messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            let role = box[.string("role")]?.pythonString ?? "?"
            var fields: [(String, Value)] = []
            for key in ["content", "reasoning_content"] { if let value = box[.string(key)] { fields.append((key, value)) } }
            if case let .list(calls)? = box[.string("tool_calls")] {
                for (callIndex, call) in calls.items.enumerated() {
                    guard case let .dict(callBox) = call, case let .dict(function)? = callBox[.string("function")],
                        let arguments = function[.string("arguments")]
                    else { continue }
                    fields.append(("tool call \(callIndex) arguments", arguments))
                }
            }
            for (field, value) in fields {
                for text in Self.requestStrings([value]) {
                    for (_, name) in Self.markerCandidates(in: Array(text.utf8), plainNames: plainNames)
                    where tokenizer.specialTokens.id(named: name) != nil {
                        findings.append(
                            Finding(
                                code: .specialTokenInContent, severity: .warning, messageIndex: index,
                                message: "message \(index) (\(role)) \(field) contains \(name), which the tokenizer turns into the real control token",
                                fix: "escape or strip special-token strings from untrusted content before rendering (a prompt-injection path)"))
                    }
                }
            }
        }
        return findings
    }
}

extension String {
    /// How many times `pattern` occurs, not overlapping.
    func occurrences(of pattern: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.range(of: pattern) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
