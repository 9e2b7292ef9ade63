import KimiChatTemplate
import KimiTokenizer

/// One check of a prompt: a small type that reads a ``PromptContext`` and returns its findings,
/// each whole (message, fix and place written when it is built, never edited afterwards). A
/// family lists the rules its prompts are checked by (``FamilyInspection/rules``).
public protocol PromptRule: Sendable {
    func findings(in context: PromptContext) -> [Finding]
}

/// What a rule reads: the stream and the tokenizer, the options the check was asked with (the
/// request, tools and thinking mode when known), how the family encodes a prompt, and which
/// engine built it.
public struct PromptContext: Sendable {
    /// How a family turns its prompt into IDs.
    public enum Encoding: Sendable {
        /// The prompt text encoded whole (Kimi K2, K2.5).
        case joined
        /// Each segment encoded on its own (Kimi K3): special-token strings in text stay text.
        case segmentWise
    }

    public let stream: TokenStream
    public let tokenizer: KimiTokenizer
    public let options: PromptChecker.Options
    public let encoding: Encoding
    /// Special-token names that are not `<|…|>` markers (`[EOS]`, `<think>`, ...), which text
    /// scans look for too.
    public let plainNames: [String]
    private let memo = Memo()

    /// Values several rules derive from the stream (a parsed structure), computed once per check.
    private final class Memo: @unchecked Sendable {
        var values: [ObjectIdentifier: Any] = [:]
    }

    /// The value of type `T` derived from this context, made by `make` the first time it is asked for.
    func derived<T>(_ type: T.Type = T.self, _ make: () -> T) -> T {
        if let value = memo.values[ObjectIdentifier(type)] as? T { return value }
        let value = make()
        memo.values[ObjectIdentifier(type)] = value
        return value
    }

    init(stream: TokenStream, tokenizer: KimiTokenizer, options: PromptChecker.Options, encoding: Encoding) {
        self.stream = stream
        self.tokenizer = tokenizer
        self.options = options
        self.encoding = encoding
        plainNames = tokenizer.specialTokens.names.filter { !$0.hasPrefix("<|") && ($0.hasPrefix("[") || $0.hasPrefix("<")) }
    }

    /// A finding at token `index` (with its character offset), or about the whole stream.
    public func finding(_ code: FindingCode, _ severity: Finding.Severity, at index: Int?, _ message: String, fix: String) -> Finding {
        Finding(
            code: code, severity: severity, tokenIndex: index,
            characterOffset: index.map { stream.characterOffsets[min($0, stream.count)] }, message: message, fix: fix)
    }

    /// What the engine that built the prompt did to cause a finding of `code`, when its
    /// diagnosis knows (``EngineDiagnosis/cause(of:in:)``).
    public func engineCause(of code: FindingCode) -> (note: String, fix: String)? {
        guard let engine = options.engine, let rendering = options.rendering else { return nil }
        return EngineDiagnoses.diagnosis(of: engine)?.cause(of: code, in: rendering)
    }
}
