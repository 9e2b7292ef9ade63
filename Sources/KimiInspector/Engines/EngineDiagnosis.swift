import KimiChatTemplate
import KimiTokenizer

/// What the inspector knows of one engine: which of its steps made its prompt differ from the
/// reference, and what it did to cause a finding. Each engine with steps of its own has one
/// (`VLLM/`), listed once in ``EngineDiagnoses/all``; the reference has none.
public protocol EngineDiagnosis: Sendable {
    /// The engine profile this diagnoses.
    var engine: any EngineProfile { get }

    /// The step that made `engineIDs` differ from the reference prompt of `prompts`' request,
    /// with a line that explains it, when this engine's profile builds exactly those IDs from
    /// the request; `nil` otherwise.
    func explain(engineIDs: [Int], prompts: RequestPrompts, model: InspectedModel) -> (code: FindingCode, explanation: String)?

    /// What this engine's `rendering` did to cause a finding of `code`, and the fix, if anything.
    func cause(of code: FindingCode, in rendering: EngineRendering) -> (note: String, fix: String)?

    /// The cause, when `engineIDs` are `prompt` encoded by this engine's own tokenizer.
    func explain(engineIDs: [Int], prompt: String, model: InspectedModel) -> (code: FindingCode, explanation: String)?
}

extension EngineDiagnosis {
    public func explain(engineIDs: [Int], prompt: String, model: InspectedModel) -> (code: FindingCode, explanation: String)? { nil }
}

/// Every engine diagnosis; a new engine with steps of its own is one more entry here.
public enum EngineDiagnoses {
    public static let all: [any EngineDiagnosis] = [
        VLLMDiagnosis(), StepDiagnosis(VLLMEngine()), StepDiagnosis(SGLangEngine()),
        StepDiagnosis(
            LlamaCppEngine(),
            causes: [
                .emptyToolResult: (
                    "llama.cpp's Jinja prints a list of text parts as nothing",
                    "send tool results to llama-server as strings, not lists of parts"
                )
            ]),
    ]

    /// The diagnosis of `engine`, when it has one.
    public static func diagnosis(of engine: any EngineProfile) -> (any EngineDiagnosis)? {
        all.first { $0.engine.name == engine.name }
    }
}
