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
    public let profile: (engine: EngineProfile, comparison: StreamComparison)?

    /// Compares `engineIDs` with the reference for `input` (whose `engine` names the profile to
    /// compare with as well) on `model`.
    public init(engineIDs: [Int], input: InspectionInput, model: InspectedModel) throws {
        let referenceIDs = try input.ids(on: model, engine: .reference).ids
        var comparison = StreamComparison(reference: referenceIDs, engine: engineIDs, tokenizer: model.tokenizer, family: model.family)
        if !comparison.equal, let request = input.request {
            if let cause = EngineStepAttribution.explain(
                engineIDs: engineIDs, request: request, renderer: try model.renderer(), tokenizer: model.tokenizer,
                addGenerationPrompt: input.expectsGenerationPrompt, variables: input.variables)
            {
                comparison = comparison.attributed(to: cause.code, cause.explanation)
            }
        }
        reference = comparison
        if input.engine != .reference {
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
        if let profile { text += "against the \(profile.engine.rawValue) profile's prompt: " + profile.comparison.report }
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
        try container.encode(profile.engine, forKey: .engineProfile)
        try container.encode(profile.comparison, forKey: .profile)
    }
}
