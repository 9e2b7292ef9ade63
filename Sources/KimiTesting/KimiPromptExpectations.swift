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
///     let reference = try kimi.referenceIDs(messagesJSON: request)
///     try kimi.expectEndsWithGenerationPrompt(engineIDs)
///     try kimi.expectNoErrors(engineIDs)
///     try kimi.expectEqual(engineIDs, reference: reference)
/// }
/// ```
public struct KimiPromptExpectations: Sendable {
    public let tokenizer: KimiTokenizer
    /// The model directory's render pipeline, the same one `kimi-tok render` uses.
    public let renderer: ChatRenderer
    private let checker: PromptChecker

    public init(tokenizer: KimiTokenizer, renderer: ChatRenderer) throws {
        guard let checker = PromptChecker(tokenizer: tokenizer, family: renderer.family) else {
            throw KimiExpectationFailure("the vocabulary has no Kimi chat markers")
        }
        self.tokenizer = tokenizer
        self.renderer = renderer
        self.checker = checker
    }

    /// Loads the tokenizer and the render pipeline from a model directory; `family` replaces
    /// the detected family.
    public init(modelDirectory: String, family: ModelFamily? = nil) throws {
        let directory = ModelDirectory(path: modelDirectory, source: .option)
        try self.init(
            tokenizer: try KimiTokenizer.load(directory),
            renderer: try ChatRenderer(modelDirectory: directory, family: family))
    }

    /// The reference IDs of a chat request: rendered by the model directory's pipeline (its
    /// template, special-token variables and family), then encoded as engines encode prompts.
    /// `templateSource` replaces the directory's template, with everything else kept.
    public func referenceIDs(
        messagesJSON: [UInt8], toolsJSON: [UInt8]? = nil, templateSource: String? = nil,
        addGenerationPrompt: Bool = true, variables: [String: Value] = [:]
    ) throws -> [Int] {
        let request = try ChatRequest.read(messagesJSON: messagesJSON, toolsJSON: toolsJSON)
        var renderer = renderer
        if let templateSource {
            renderer = ChatRenderer(
                template: try Template(source: templateSource, name: "chat template"),
                specialTokenVariables: renderer.specialTokenVariables, family: renderer.family)
        }
        let rendering = try renderer.rendered(request, addGenerationPrompt: addGenerationPrompt, variables: variables)
        return try rendering.ids(with: tokenizer)
    }

    /// The stream ends with the family's generation prompt: `<|im_assistant|>assistant<|im_middle|>`,
    /// for K2.5 followed by `<think>` or `<think></think>`.
    public func expectEndsWithGenerationPrompt(_ ids: [Int]) throws {
        let findings = checker.check(ids, options: .init(expectGenerationPrompt: true))
            .filter { $0.code == .missingGenerationPrompt }
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
        let comparison = StreamComparison(reference: reference, engine: ids, tokenizer: tokenizer, family: renderer.family)
        if !comparison.equal { throw KimiExpectationFailure(comparison.report) }
    }
}

/// A failed Kimi prompt expectation; its description is the whole explanation.
public struct KimiExpectationFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
