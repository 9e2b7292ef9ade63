import KimiChatTemplate
import KimiInspector
import KimiTokenizer

/// Assertions about Kimi prompts and token streams for your own tests, with Swift Testing or
/// XCTest alike: each one throws a ``KimiExpectationFailure`` whose message shows what is
/// wrong (findings, or an aligned diff), and a thrown error fails the test in both.
///
/// ```swift
/// @Test func engineBuildsTheReferencePrompt() throws {
///     let kimi = try KimiPromptExpectations(modelDirectory: "Vocab/kimi-k2")
///     let reference = try kimi.referenceIDs(messagesJSON: request, templateSource: template)
///     try kimi.expectEndsWithGenerationPrompt(engineIDs)
///     try kimi.expectNoErrors(engineIDs)
///     try kimi.expectEqual(engineIDs, reference: reference)
/// }
/// ```
public struct KimiPromptExpectations: Sendable {
    public let tokenizer: KimiTokenizer
    private let checker: PromptChecker

    public init(tokenizer: KimiTokenizer) throws {
        guard let checker = PromptChecker(tokenizer: tokenizer) else {
            throw KimiExpectationFailure("the vocabulary has no Kimi chat markers")
        }
        self.tokenizer = tokenizer
        self.checker = checker
    }

    /// Loads the tokenizer from a model directory first.
    public init(modelDirectory: String) throws {
        try self.init(tokenizer: try KimiTokenizer.load(modelDirectory: modelDirectory))
    }

    /// The reference IDs of a chat request: rendered with `templateSource` as transformers
    /// renders it (without the `bos_token`-style variables, which Kimi templates do not use),
    /// then encoded as engines encode prompts.
    public func referenceIDs(messagesJSON: [UInt8], toolsJSON: [UInt8]? = nil, templateSource: String,
                             addGenerationPrompt: Bool = true) throws -> [Int] {
        let request = try ChatRequest.read(messagesJSON: messagesJSON, toolsJSON: toolsJSON)
        let renderer = ChatRenderer(template: try Template(source: templateSource, name: "chat template"))
        return try tokenizer.encode(try renderer.render(request, addGenerationPrompt: addGenerationPrompt), mode: .hf)
    }

    /// The stream ends with `<|im_assistant|>assistant<|im_middle|>`.
    public func expectEndsWithGenerationPrompt(_ ids: [Int]) throws {
        let findings = checker.check(ids, options: .init(expectGenerationPrompt: true))
            .filter { $0.code == "missing-generation-prompt" }
        if !findings.isEmpty { throw KimiExpectationFailure(findings.map(\.description).joined(separator: "\n")) }
    }

    /// The prompt text, encoded as engines do, ends with the generation prompt.
    public func expectEndsWithGenerationPrompt(prompt: String) throws {
        try expectEndsWithGenerationPrompt(try tokenizer.encode(prompt, mode: .hf))
    }

    /// No finding of severity error (warnings are listed in the failure message only if it fails).
    public func expectNoErrors(_ ids: [Int], request: ChatRequest? = nil, expectGenerationPrompt: Bool = true) throws {
        let findings = checker.check(ids, options: .init(expectGenerationPrompt: expectGenerationPrompt, request: request))
        guard findings.contains(where: { $0.severity == .error }) else { return }
        throw KimiExpectationFailure("findings of severity error:\n" + findings.map(\.description).joined(separator: "\n"))
    }

    /// The prompt text, encoded as engines do, has no finding of severity error.
    public func expectNoErrors(prompt: String, request: ChatRequest? = nil, expectGenerationPrompt: Bool = true) throws {
        try expectNoErrors(try tokenizer.encode(prompt, mode: .hf), request: request, expectGenerationPrompt: expectGenerationPrompt)
    }

    /// The IDs equal the reference; otherwise the failure shows the aligned diff and likely cause.
    public func expectEqual(_ ids: [Int], reference: [Int]) throws {
        let comparison = StreamComparison(reference: reference, engine: ids, tokenizer: tokenizer)
        if !comparison.equal { throw KimiExpectationFailure(comparison.report) }
    }
}

/// A failed Kimi prompt expectation; its description is the whole explanation.
public struct KimiExpectationFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
