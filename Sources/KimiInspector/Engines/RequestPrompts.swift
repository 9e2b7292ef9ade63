import Foundation
import KimiChatTemplate
import KimiTokenizer

/// One request's prompts for the engine diagnoses: the reference prompt, and the IDs each
/// engine profile builds under the request's options. A full profile is rendered once however
/// many diagnoses ask for it, and a prompt text met before is not encoded again (most of an
/// engine's steps leave most requests as the reference has them).
public final class RequestPrompts {
    public let request: ChatRequest
    public let options: EngineRenderOptions
    /// The reference prompt: the template's output (with K3's segments).
    public let reference: RenderedPrompt
    /// The reference prompt's IDs in the model's own tokenizer.
    public let referenceIDs: [Int]
    private let model: InspectedModel
    /// IDs by full profile name and content format; `nil` for a request the profile refuses.
    private var built: [String: [Int]?] = [:]
    /// Prompt texts encoded whole by the model's own tokenizer, with their IDs. Matched by
    /// their bytes: `String`'s `==` (and its hashing) takes canonically equivalent texts as
    /// one, whose IDs differ.
    private var encoded: [(text: String, ids: [Int])] = []

    /// The prompts of `request` under `options`, whose reference rendering (what
    /// ``ReferenceEngine`` built) and IDs are known.
    public init(request: ChatRequest, options: EngineRenderOptions, reference: EngineRendering, referenceIDs: [Int], model: InspectedModel) {
        self.request = request
        self.options = options
        self.reference = RenderedPrompt(text: reference.templateOutput, segments: reference.segments)
        self.referenceIDs = referenceIDs
        self.model = model
        remember(reference, referenceIDs)
    }

    private static func key(_ engine: any EngineProfile, _ format: ContentFormat) -> String { "\(engine.name) \(format.rawValue)" }

    /// Records `rendering` (with its `ids`) as what the full profile `engine` builds under the
    /// options with content format `format`.
    public func record(_ rendering: EngineRendering, ids: [Int], engine: any EngineProfile, format: ContentFormat) {
        built[Self.key(engine, format)] = ids
        remember(rendering, ids)
    }

    /// The IDs the full profile `engine` (one of ``EngineProfiles/all``, every step kept) builds
    /// from the request under its options, with content format `format` (the options' own
    /// when `nil`); `nil` when it refuses the request.
    public func ids(of engine: any EngineProfile, format: ContentFormat? = nil) -> [Int]? {
        let format = format ?? options.contentFormat
        let key = Self.key(engine, format)
        if let known = built[key] { return known }
        let ids = ids(renderedBy: engine, format: format)
        built[key] = ids
        return ids
    }

    /// The IDs `profile` (any variant, such as one step kept) builds from the request under
    /// the options, with content format `format` (the options' own when `nil`); `nil` when it
    /// refuses the request.
    public func ids(renderedBy profile: any EngineProfile, format: ContentFormat? = nil) -> [Int]? {
        var options = options
        if let format { options.contentFormat = format }
        guard let rendering = try? model.renderer().render(request, engine: profile, options) else { return nil }
        if let text = Self.plainText(rendering), let known = encoded.first(where: { Self.sameBytes($0.text, text) }) { return known.ids }
        guard let ids = try? rendering.ids(with: model.tokenizer) else { return nil }
        remember(rendering, ids)
        return ids
    }

    private func remember(_ rendering: EngineRendering, _ ids: [Int]) {
        if let text = Self.plainText(rendering), !encoded.contains(where: { Self.sameBytes($0.text, text) }) { encoded.append((text, ids)) }
    }

    /// Whether `a` and `b` are the same UTF-8 bytes.
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        guard a.utf8.count == b.utf8.count else { return false }
        return a.withUTF8 { a in b.withUTF8 { b in a.count == 0 || memcmp(a.baseAddress.unsafelyUnwrapped, b.baseAddress.unsafelyUnwrapped, a.count) == 0 } }
    }

    /// The prompt text of a rendering whose IDs are that text encoded whole by the model's
    /// own tokenizer (no segments, no continuation encoded apart).
    private static func plainText(_ rendering: EngineRendering) -> String? {
        rendering.segments == nil && rendering.continuation == nil && rendering.tokenizer == .reference ? rendering.prompt : nil
    }
}
