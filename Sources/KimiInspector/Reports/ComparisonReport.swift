import KimiChatTemplate
import KimiTokenizer

/// What `compare --json` prints and `POST /v1/kimi/compare` answers: an engine's IDs against the
/// reference, the first divergence explained (by the engine step that made it, when an engine
/// profile builds the engine's IDs from the request), and with an engine profile other than the
/// reference also against that profile's prompt.
public struct ComparisonReport: Sendable, Encodable {
    /// The engine's IDs against the reference.
    public let reference: StreamComparison
    /// The profile the engine's IDs were also compared with, and that comparison.
    public let profile: (engine: any EngineProfile, comparison: StreamComparison)?

    /// Compares `engineIDs` with the reference for `input` (whose `engine` names the profile to
    /// compare with as well) on `model`.
    public init(engineIDs: [Int], input: InspectionInput, model: InspectedModel) throws {
        let referenceIDs = try input.ids(on: model, engine: EngineProfiles.reference).ids
        var comparison = StreamComparison(reference: referenceIDs, engine: engineIDs, tokenizer: model.tokenizer, family: model.family)
        if !comparison.equal, let request = input.request {
            // The first engine whose profile builds exactly the engine's IDs names the step.
            for diagnosis in EngineDiagnoses.all {
                guard let cause = diagnosis.explain(engineIDs: engineIDs, request: request, model: model, options: input.renderOptions) else { continue }
                comparison = comparison.attributed(to: cause.code, cause.explanation)
                break
            }
        }
        reference = comparison
        if input.engine.name != EngineProfiles.reference.name {
            let profileIDs = try input.ids(on: model).ids
            profile = (input.engine, StreamComparison(reference: profileIDs, engine: engineIDs, tokenizer: model.tokenizer, family: model.family))
        } else {
            profile = nil
        }
    }

    /// Whether the engine's IDs equal the reference.
    public var equal: Bool { reference.equal }

    /// The report for people.
    public var text: String {
        var text = reference.report
        if let profile { text += "against the \(profile.engine.name) profile's prompt: " + profile.comparison.report }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case reference, profile
        case engineProfile = "engine_profile"
    }

    /// The comparison alone; with a profile, `{reference, engine_profile, profile}`.
    public func encode(to encoder: any Encoder) throws {
        guard let profile else { return try reference.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reference, forKey: .reference)
        try container.encode(profile.engine.name, forKey: .engineProfile)
        try container.encode(profile.comparison, forKey: .profile)
    }
}
