import KimiChatTemplate
import KimiTokenizer

/// The step that explains an engine's IDs, for any profile with steps: when the profile builds
/// exactly the engine's IDs from the request, each step is done alone; of those that change the
/// prompt, the one whose change comes first names the divergence. When no step changes it alone
/// (two steps acting together), each is left out in turn, and the first one the engine's IDs
/// need names it.
public struct StepDiagnosis: EngineDiagnosis {
    public let engine: any EngineProfile

    public init(_ engine: any EngineProfile) { self.engine = engine }

    public func explain(
        engineIDs: [Int], request: ChatRequest, model: InspectedModel, options: EngineRenderOptions
    ) -> (code: FindingCode, explanation: String)? {
        guard let renderer = try? model.renderer() else { return nil }
        func ids(_ profile: any EngineProfile) -> [Int]? {
            guard let rendering = try? renderer.render(request, engine: profile, options) else { return nil }
            return try? rendering.ids(with: model.tokenizer)
        }
        guard ids(engine) == engineIDs,
            let reference = try? renderer.rendered(request, addGenerationPrompt: options.addGenerationPrompt, variables: options.variables),
            let referenceIDs = try? reference.ids(with: model.tokenizer)
        else { return nil }
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
        return (code, explanation)
    }

    public func cause(of code: FindingCode, in rendering: EngineRendering) -> (note: String, fix: String)? { nil }
}
