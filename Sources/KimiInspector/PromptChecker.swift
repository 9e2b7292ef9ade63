import Foundation
import KimiChatTemplate
import KimiTokenizer

/// Diagnoses a Kimi token stream: the failures that broke tool calling on engines, and others.
public struct PromptChecker: Sendable {
    public let tokenizer: KimiTokenizer
    public let markers: KimiMarkers

    public struct Options: Sendable {
        /// Whether the stream must end with the generation prompt (on by default).
        public var expectGenerationPrompt = true
        /// The request the stream was rendered from, if known (enables the request checks).
        public var request: ChatRequest?
        /// Tools declared to the engine (from the request or `--tools`), if known.
        public var tools: [Value]?

        public init(expectGenerationPrompt: Bool = true, request: ChatRequest? = nil, tools: [Value]? = nil) {
            self.expectGenerationPrompt = expectGenerationPrompt
            self.request = request
            self.tools = tools ?? request?.tools
        }
    }

    /// A checker for `tokenizer`'s vocabulary; `nil` if it lacks the Kimi chat markers.
    public init?(tokenizer: KimiTokenizer) {
        guard let markers = KimiMarkers(tokenizer) else { return nil }
        self.tokenizer = tokenizer
        self.markers = markers
    }

    /// Every finding for `ids`, in stream order.
    public func check(_ ids: [Int], options: Options = Options()) -> [Finding] {
        let stream = TokenStream(ids: ids, tokenizer: tokenizer)
        let structure = PromptStructure(stream, markers: markers)
        var findings = structure.findings
        findings += idsOutsideEmbedding(stream)
        if options.expectGenerationPrompt { findings += missingGenerationPrompt(stream) }
        findings += markersInText(stream)
        findings += contentListLeaks(stream, structure)
        findings += toolCallFindings(stream, structure, options)
        if let request = options.request { findings += specialTokensInContent(request) }
        return findings.sorted { ($0.tokenIndex ?? -1, $0.code) < ($1.tokenIndex ?? -1, $1.code) }
    }

    /// The text of `prompt`, encoded as engines do, then checked.
    public func check(prompt: String, options: Options = Options()) throws -> [Finding] {
        check(try tokenizer.encode(prompt, mode: .hf), options: options)
    }

    private func finding(_ code: String, _ severity: Finding.Severity, _ stream: TokenStream, _ index: Int?,
                         _ message: String, _ fix: String) -> Finding {
        Finding(code: code, severity: severity, tokenIndex: index,
                characterOffset: index.map { stream.characterOffsets[min($0, stream.count)] }, message: message, fix: fix)
    }

    private func idsOutsideEmbedding(_ stream: TokenStream) -> [Finding] {
        stream.ids.indices.compactMap { index in
            let id = stream.ids[index]
            if !stream.isKnown[index] {
                return finding("id-outside-embedding", .error, stream, index,
                               "ID \(id) is not in the vocabulary (valid IDs are 0...\(tokenizer.tokenCount - 1))",
                               "the engine used another tokenizer or corrupted the IDs; re-tokenize with the Kimi vocabulary")
            }
            if id >= KimiMarkers.embeddingSize {
                return finding("id-outside-embedding", .error, stream, index,
                               "ID \(id) (\(stream.visible(index..<index + 1))) is at or beyond the model's embedding size \(KimiMarkers.embeddingSize)",
                               "the model has no embedding for it; remove the reserved token from the prompt")
            }
            return nil
        }
    }

    private func missingGenerationPrompt(_ stream: TokenStream) -> [Finding] {
        // Thinking models' templates open the reasoning right after the header.
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
        let ending = stream.count > 0 ? stream.visible(max(0, stream.count - 3)..<stream.count) : "nothing"
        return [finding("missing-generation-prompt", .error, stream, stream.count,
                        "the stream does not end with <|im_assistant|>assistant<|im_middle|> (163588 69702 163601); it ends with \(ending)",
                        "pass add_generation_prompt=True when rendering (vLLM/SGLang: the chat endpoint does; raw /completions must add it)")]
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
            for (offset, name) in Self.markerCandidates(in: bytes) {
                let token = stream.token(atByte: offset, in: index..<end)
                if tokenizer.specialTokens.id(named: name) != nil {
                    findings.append(finding("special-token-as-text", .error, stream, token,
                                            "\(name) appears as ordinary text tokens, not as its special ID \(tokenizer.specialTokens.id(named: name) ?? 0)",
                                            "tokenize with special tokens allowed (the Kimi tokenizer's default); do not escape or split special-token strings"))
                } else if name.hasPrefix("<|") {
                    findings.append(finding("unknown-special-marker", .warning, stream, token,
                                            "\(name) looks like a special token but is not in the Kimi vocabulary",
                                            "use the vocabulary's marker (e.g. <|media_begin|>, <|tool_calls_section_begin|>) or remove it"))
                }
            }
            index = end
        }
        return findings
    }

    /// `<|…|>` candidates (up to 64 bytes) and bracketed names like `[EOS]`, with their byte offsets.
    static func markerCandidates(in bytes: [UInt8]) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "|") {
                var end = index + 2
                while end + 1 < bytes.count, end - index < 64,
                      !(bytes[end] == UInt8(ascii: "|") && bytes[end + 1] == UInt8(ascii: ">")),
                      bytes[end] != UInt8(ascii: "<"), bytes[end] >= 0x21 {
                    end += 1
                }
                if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "|"), bytes[end + 1] == UInt8(ascii: ">"), end > index + 2 {
                    result.append((index, String(decoding: bytes[index..<end + 2], as: UTF8.self)))
                    index = end + 2
                    continue
                }
            } else if bytes[index] == UInt8(ascii: "[") {
                for name in ["[BOS]", "[EOS]", "[EOT]", "[UNK]", "[PAD]"] where bytes[index...].starts(with: name.utf8) {
                    result.append((index, name))
                }
            }
            index += 1
        }
        return result
    }

    private func contentListLeaks(_ stream: TokenStream, _ structure: PromptStructure) -> [Finding] {
        var findings: [Finding] = []
        for message in structure.messages where !message.body.isEmpty {
            let bytes = Array(stream.pieces[message.body].joined())
            for pattern in ["[{'type': '", "{'type': 'text'", "{'type': 'image", "{'text': '"] {
                guard let offset = bytes.firstRange(of: Array(pattern.utf8))?.lowerBound else { continue }
                let token = stream.token(atByte: offset, in: message.body)
                findings.append(finding("content-list-leak", .error, stream, token,
                                        "the \(message.role) message '\(message.name)' contains a Python repr of content parts: \(String(decoding: bytes[offset..<min(bytes.count, offset + 40)], as: UTF8.self))…",
                                        "render list content by iterating its text parts (a fixed chat template), or send content as a string"))
                break
            }
        }
        return findings
    }

    /// The NAME and IDX of a `functions.NAME:IDX` ID.
    public static func parseStandardID(_ id: String) -> (name: String, index: Int)? {
        guard id.hasPrefix("functions."), let colon = id.lastIndex(of: ":") else { return nil }
        let name = id[id.index(id.startIndex, offsetBy: 10)..<colon]
        let digits = id[id.index(after: colon)...]
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == ":" }),
              !digits.isEmpty, digits.allSatisfy(\.isASCII), let index = Int(digits), index >= 0,
              digits.allSatisfy({ $0.isNumber }) else { return nil }
        return (String(name), index)
    }

    private func toolCallFindings(_ stream: TokenStream, _ structure: PromptStructure, _ options: Options) -> [Finding] {
        var findings: [Finding] = []
        let requestCalls = options.request.map(Self.requestToolCalls) ?? []
        let declaration = structure.messages.first { $0.role == "system" && $0.name == "tool_declare" }
        var declared: Set<String>?
        if let declaration {
            declared = Self.declaredNames(stream.text(declaration.body))
        } else if let tools = options.tools, !tools.isEmpty {
            findings.append(finding("tool-declaration-missing", .error, stream, nil,
                                    "\(tools.count) tool(s) were given but the prompt has no <|im_system|>tool_declare<|im_middle|> block",
                                    "pass the tools to the chat template (tools=...) so the model can see them"))
        }
        var position = 0
        for message in structure.messages {
            for call in message.toolCalls {
                defer { position += 1 }
                let expectedName = position < requestCalls.count ? requestCalls[position] : nil
                if call.complete, (try? JSONReader.parse(Array(call.arguments.utf8))) == nil {
                    findings.append(finding("malformed-structure", .error, stream, call.start,
                                            "the arguments of tool call '\(call.id)' are not valid JSON: \(call.arguments.prefix(60))",
                                            "tool-call arguments must be one JSON object"))
                }
                guard let (name, index) = Self.parseStandardID(call.id) else {
                    findings.append(finding("nonstandard-tool-call-id", .warning, stream, call.start,
                                            "tool-call ID '\(call.id)' is not functions.NAME:IDX",
                                            "rewrite history IDs to functions.\(expectedName ?? "NAME"):\(position) (kimi-tok normalize-ids); Kimi K2 learned that format"))
                    if let declared, let expectedName, !declared.contains(expectedName) {
                        findings.append(undeclared(expectedName, stream, call.start))
                    }
                    continue
                }
                if let expectedName, expectedName != name {
                    findings.append(finding("nonstandard-tool-call-id", .warning, stream, call.start,
                                            "tool-call ID '\(call.id)' names '\(name)' but the call is to '\(expectedName)'",
                                            "use functions.\(expectedName):\(position)"))
                } else if index != position {
                    findings.append(finding("nonstandard-tool-call-id", .warning, stream, call.start,
                                            "tool-call ID '\(call.id)' has index \(index) but it is call number \(position) of the conversation",
                                            "number calls in order from 0: functions.\(name):\(position)"))
                }
                if let declared, !declared.contains(name) { findings.append(undeclared(name, stream, call.start)) }
            }
        }
        return findings
    }

    private func undeclared(_ name: String, _ stream: TokenStream, _ index: Int) -> Finding {
        finding("undeclared-tool", .warning, stream, index,
                "the history calls '\(name)', which the tool declaration does not list",
                "declare every tool the history uses, or drop those calls: undeclared calls invite hallucinated ones")
    }

    /// Function names of a tool declaration in JSON (OpenAI tool objects or bare functions).
    static func declaredNames(_ text: String) -> Set<String>? {
        guard case let .list(tools)? = try? JSONReader.parse(Array(text.utf8)) else { return nil }
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
                      case let .string(name)? = function[.string("name")] else { return nil }
                return name
            }
        }
    }

    private func specialTokensInContent(_ request: ChatRequest) -> [Finding] {
        var findings: [Finding] = []
        for (index, message) in request.messages.enumerated() {
            guard case let .dict(box) = message else { continue }
            let role = box[.string("role")]?.pythonString ?? "?"
            var texts: [String] = []
            switch box[.string("content")] {
            case let .string(text)?: texts = [text]
            case let .list(parts)?:
                texts = parts.items.compactMap { part in
                    if case let .dict(p) = part, case let .string(text)? = p[.string("text")] { return text }
                    return nil
                }
            default: break
            }
            for text in texts {
                for (_, name) in Self.markerCandidates(in: Array(text.utf8)) where tokenizer.specialTokens.id(named: name) != nil {
                    findings.append(Finding(code: "special-token-in-content", severity: .warning,
                                            message: "message \(index) (\(role)) contains \(name), which the tokenizer turns into the real control token",
                                            fix: "escape or strip special-token strings from untrusted content before rendering (a prompt-injection path)"))
                }
            }
        }
        return findings
    }
}
