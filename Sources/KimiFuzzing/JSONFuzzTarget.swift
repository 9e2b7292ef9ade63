import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// Arbitrary bytes as JSON: both readers agree, values survive a compact round trip, string
/// spans point at string literals, and every reader built on them (chat requests, tools, engine
/// IDs, the ID normaliser, rendering a request that reads) fails cleanly or keeps its promises.
struct JSONFuzzTarget {
    let fixtures: FuzzFixtures
    private static let generationPrompt = "<|im_assistant|>assistant<|im_middle|>"

    func run(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        try checkReaders(bytes)
        _ = try? ChatRequest.readTools(bytes)
        _ = try? EngineTokenIDs.parse(bytes)
        try checkNormalizer(bytes)
        if let request = try? ChatRequest.read(messagesJSON: bytes) {
            try checkRender(request)
        }
    }

    private func checkReaders(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        let plain = Result { () throws(JSONReader.SyntaxError) in try JSONReader.parseValue(bytes) }
        let spanned = Result { () throws(JSONReader.SyntaxError) in try JSONReader.parseWithStringSpans(bytes) }
        switch (plain, spanned) {
        case let (.failure(error), .failure(spannedError)):
            guard error == spannedError, (0...bytes.count).contains(error.offset) else {
                throw violation("the readers fail differently: \(error) / \(spannedError)")
            }
        case let (.success(value), .success((spannedValue, spans))):
            let json = try compact(value)
            guard json == (try compact(Value(json: spannedValue))) else { throw violation("the readers read different values") }
            let reread: Value
            do { reread = try JSONReader.parseValue(Array(json.utf8)) } catch {
                throw violation("compact JSON \(json.debugDescription) does not read back: \(error)")
            }
            guard try compact(reread) == json else { throw violation("compact JSON is not stable: \(json.debugDescription)") }
            for span in spans {
                guard span.range.lowerBound >= 0, span.range.upperBound <= bytes.count,
                    case .string? = try? JSONReader.parseValue(Array(bytes[span.range]))
                else {
                    throw violation("string span \(span.range) is not a string literal")
                }
            }
        default:
            throw violation("one reader accepts what the other rejects")
        }
    }

    /// Normalising IDs twice changes nothing the first pass did not.
    private func checkNormalizer(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        guard let once = try? ToolCallIDNormalizer.normalize(bytes) else { return }
        let twice: ToolCallIDNormalizer.Result
        do { twice = try ToolCallIDNormalizer.normalize(once.json) } catch {
            throw violation("normalised output does not read back: \(error)")
        }
        guard twice.json == once.json else { throw violation("normalize-ids is not idempotent") }
    }

    private func checkRender(_ request: ChatRequest) throws(FuzzInvariantViolation) {
        guard let prompt = try? fixtures.renderer.rendered(request, limits: fixtures.limits).text else { return }
        guard prompt.hasSuffix(Self.generationPrompt) else {
            throw violation("the rendered prompt does not end with the generation prompt")
        }
        let findings: [Finding]
        do { findings = try fixtures.checker.check(prompt: prompt) } catch {
            throw violation("check failed on a rendered prompt: \(error)")
        }
        if findings.contains(where: { $0.code == .missingGenerationPrompt }) {
            throw violation("check reports a missing generation prompt on a prompt that has one")
        }
    }

    private func compact(_ value: Value) throws(FuzzInvariantViolation) -> String {
        do { return try value.compactJSON() } catch { throw violation("cannot write parsed JSON back: \(error)") }
    }

    private func violation(_ message: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(.json, message)
    }
}
