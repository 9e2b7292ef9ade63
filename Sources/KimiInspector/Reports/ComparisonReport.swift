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
    /// With `autoProfile`: every profile (and the options it needs) that builds exactly the
    /// engine's IDs from the request.
    public let matchingProfiles: [String]?

    /// Compares `engineIDs` with the reference for `input` (whose `engine` names the profile to
    /// compare with as well) on `model`. With `autoProfile`, every engine profile is tried
    /// instead, and the first that builds exactly the engine's IDs is the one compared with.
    public init(engineIDs: [Int], input: InspectionInput, model: InspectedModel, autoProfile: Bool = false) throws {
        var input = input
        if autoProfile {
            guard input.request != nil else { throw KimiError(.badInput, "--engine-profile auto needs a chat request (--messages)") }
            let matches = Self.matchingProfiles(engineIDs: engineIDs, input: input, model: model)
            matchingProfiles = matches.map(\.label)
            if let first = matches.first {
                input.engine = first.engine
                input.endpoint = first.endpoint
                input.contentFormat = first.contentFormat
            }
        } else {
            matchingProfiles = nil
        }
        let reference = try input.ids(on: model, engine: EngineProfiles.reference)
        let prompts = input.request.flatMap { request in
            reference.rendering.map {
                RequestPrompts(request: request, options: input.renderOptions, reference: $0, referenceIDs: reference.ids, model: model)
            }
        }
        self.reference = Self.comparison(engineIDs: engineIDs, referenceIDs: reference.ids, prompts: prompts, input: input, model: model)
        if input.engine.name != EngineProfiles.reference.name {
            let profileIDs = try input.ids(on: model).ids
            profile = (input.engine, StreamComparison(reference: profileIDs, engine: engineIDs, tokenizer: model.tokenizer, family: model.family))
        } else {
            profile = nil
        }
    }

    /// `engineIDs` against `referenceIDs`, the reference prompt of `input` (with the request's
    /// prompts, for a request): the first divergence, named by the first engine whose profile
    /// (or tokenizer) builds exactly the engine's IDs. This is ``reference`` without rendering
    /// anything `prompts` already holds; `audit` calls it with the prompts it built.
    public static func comparison(
        engineIDs: [Int], referenceIDs: [Int], prompts: RequestPrompts?, input: InspectionInput, model: InspectedModel
    ) -> StreamComparison {
        let comparison = StreamComparison(reference: referenceIDs, engine: engineIDs, tokenizer: model.tokenizer, family: model.family)
        guard !comparison.equal else { return comparison }
        for diagnosis in EngineDiagnoses.all {
            let cause: (code: FindingCode, explanation: String)?
            switch input.source {
            case .request:
                guard let prompts else { return comparison }
                cause = diagnosis.explain(engineIDs: engineIDs, prompts: prompts, model: model)
            case let .prompt(text): cause = diagnosis.explain(engineIDs: engineIDs, prompt: text, model: model)
            case .ids: cause = nil
            }
            guard let cause else { continue }
            return comparison.attributed(to: cause.code, cause.explanation)
        }
        return comparison
    }

    /// The profiles that build exactly `engineIDs` from `input`'s request, each with the first
    /// endpoint and content format (defaults first) that does, labelled as the options say it.
    static func matchingProfiles(
        engineIDs: [Int], input: InspectionInput, model: InspectedModel
    ) -> [(label: String, engine: any EngineProfile, endpoint: EngineRenderOptions.Endpoint, contentFormat: ContentFormat)] {
        var matches: [(String, any EngineProfile, EngineRenderOptions.Endpoint, ContentFormat)] = []
        for engine in EngineProfiles.all {
            search: for endpoint in EngineRenderOptions.Endpoint.allCases {
                for format in [ContentFormat.auto, .string, .openai] {
                    var variant = input
                    variant.endpoint = endpoint
                    variant.contentFormat = format
                    guard (try? variant.ids(on: model, engine: engine).ids) == engineIDs else { continue }
                    var label = engine.name
                    if endpoint != .chat { label += " --endpoint \(endpoint.rawValue)" }
                    if format != .auto { label += " --content-format \(format.rawValue)" }
                    matches.append((label, engine, endpoint, format))
                    break search
                }
            }
        }
        return matches
    }

    /// Whether the engine's IDs equal the reference.
    public var equal: Bool { reference.equal }

    /// The report for people.
    public var text: String {
        var text = reference.report
        if let matchingProfiles {
            text +=
                matchingProfiles.isEmpty
                ? "no engine profile builds these IDs from the request\n"
                : "engine profiles that build these IDs: \(matchingProfiles.joined(separator: "; "))\n"
        }
        if let profile { text += "against the \(profile.engine.name) profile's prompt: " + profile.comparison.report }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case reference, profile
        case engineProfile = "engine_profile"
        case matchingProfiles = "matching_profiles"
    }

    /// The comparison alone; with a profile, `{reference, engine_profile, profile}`.
    public func encode(to encoder: any Encoder) throws {
        guard profile != nil || matchingProfiles != nil else { return try reference.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reference, forKey: .reference)
        try container.encode(profile?.engine.name, forKey: .engineProfile)
        if let profile { try container.encode(profile.comparison, forKey: .profile) }
        try container.encodeIfPresent(matchingProfiles, forKey: .matchingProfiles)
    }
}
