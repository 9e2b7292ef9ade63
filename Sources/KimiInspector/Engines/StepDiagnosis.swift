import KimiChatTemplate
import KimiTokenizer

/// The step that explains an engine's IDs, for any profile with steps (and an engine with a
/// tokenizer of its own: ``EngineTokenizerDifference``): when the profile builds
/// exactly the engine's IDs from the request, each step is done alone; of those that change the
/// prompt, the one whose change comes first names the divergence. When no step changes it alone
/// (two steps acting together), each is left out in turn, and the first one the engine's IDs
/// need names it.
public struct StepDiagnosis: EngineDiagnosis {
    public let engine: any EngineProfile
    /// What the engine does to cause a check finding, and the fix, by code.
    let causes: [FindingCode: (note: String, fix: String)]

    public init(_ engine: any EngineProfile) { self.init(engine, causes: [:]) }
    init(_ engine: any EngineProfile, causes: [FindingCode: (note: String, fix: String)]) {
        self.engine = engine
        self.causes = causes
    }

    public func explain(engineIDs: [Int], prompts: RequestPrompts, model: InspectedModel) -> (code: FindingCode, explanation: String)? {
        guard prompts.ids(of: engine) == engineIDs else { return nil }
        func ids(_ profile: any EngineProfile) -> [Int]? { prompts.ids(renderedBy: profile) }
        let trueReferenceIDs = prompts.referenceIDs
        // Steps are measured against the reference prompt in the engine's own tokenizer; a
        // difference that tokenizer alone makes is explained by it.
        let engineTokenizer = engine.tokenizer.tokenizer(from: model.tokenizer)
        guard let referenceIDs = engine.tokenizer == .reference ? trueReferenceIDs : try? prompts.reference.ids(with: engineTokenizer) else {
            return nil
        }
        if referenceIDs == engineIDs {
            return EngineTokenizerDifference.explain(
                reference: trueReferenceIDs, engine: engineIDs, referenceTokenizer: model.tokenizer, engineTokenizer: engineTokenizer)
        }
        var changes: [(step: EngineStep, at: Int)] = []
        for step in engine.steps {
            guard let alone = ids(engine.keeping([step.code])), alone != referenceIDs else { continue }
            changes.append((step, zip(alone, referenceIDs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(alone.count, referenceIDs.count)))
        }
        if changes.isEmpty {
            let all = Set(engine.steps.map(\.code))
            let divergence =
                zip(engineIDs, referenceIDs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(engineIDs.count, referenceIDs.count)
            for step in engine.steps where ids(engine.keeping(all.subtracting([step.code]))) != engineIDs { changes.append((step, divergence)) }
        }
        guard let first = changes.min(by: { $0.at < $1.at }), let code = FindingCode(rawValue: first.step.code) else { return nil }
        var explanation = "the engine's IDs are \(engine.displayName)'s render: \(first.step.summary) (first change at token \(first.at))"
        let others = changes.filter { $0.step != first.step }.map(\.step.code)
        if !others.isEmpty { explanation += "; its other steps that change this prompt: " + others.joined(separator: ", ") }
        if referenceIDs != trueReferenceIDs { explanation += "; its own tokenizer also splits the text differently" }
        return (code, explanation)
    }

    public func cause(of code: FindingCode, in rendering: EngineRendering) -> (note: String, fix: String)? { causes[code] }

    public func explain(engineIDs: [Int], prompt: String, model: InspectedModel) -> (code: FindingCode, explanation: String)? {
        guard engine.tokenizer != .reference else { return nil }
        let engineTokenizer = engine.tokenizer.tokenizer(from: model.tokenizer)
        guard (try? engineTokenizer.encode(prompt, mode: .hf)) == engineIDs, let referenceIDs = try? model.tokenizer.encode(prompt, mode: .hf) else {
            return nil
        }
        return EngineTokenizerDifference.explain(
            reference: referenceIDs, engine: engineIDs, referenceTokenizer: model.tokenizer, engineTokenizer: engineTokenizer)
    }
}
