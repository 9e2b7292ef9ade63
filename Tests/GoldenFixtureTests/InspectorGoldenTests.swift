import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer
import TestSupport
import Testing

/// Every checker rule and every comparison cause on the cases of `Tests/Fixtures/checks.json`
/// and `compares.json`: the reports are the golden ones, and each case's own codes are there.
@Suite("Golden inspections: each rule, each comparison cause", .needsVocabulary)
struct InspectorGoldenTests {
    static func input(_ fixture: [String: Any], tokenizer: KimiTokenizer) throws -> InspectionInput {
        let source: InspectionInput.Source
        var request: ChatRequest?
        if let json = fixture["request"] {
            request = try GoldenModels.request(json)
            source = .request(try #require(request))
        } else if let prompt = fixture["prompt"] as? String, fixture["ids"] == nil {
            source = .prompt(prompt)
        } else {
            let ids = try #require(fixture["ids"] as? [Int])
            if let prompt = fixture["prompt"] as? String {
                // The reference's IDs of the prompt are kimi-tok's too.
                #expect(try tokenizer.encode(prompt, mode: .hf) == ids)
            }
            source = .ids(ids)
        }
        let tools = try GoldenModels.tools(fixture["tools"])
        let engine = (fixture["engine"] ?? fixture["engine_profile"]) as? String
        // As the CLI reads a request: its own add_generation_prompt and chat_template_kwargs.
        var variables = try GoldenModels.variables(fixture["variables"])
        if variables.isEmpty, let request { variables = request.templateKwargs }
        var input = InspectionInput(
            source: source, standaloneTools: tools, variables: variables,
            expectsGenerationPrompt: fixture["add_generation_prompt"] as? Bool ?? request?.field("add_generation_prompt")?.isTruthy ?? true,
            engine: try engine.map { try #require(EngineProfiles.named($0)) } ?? EngineProfiles.reference)
        if let endpoint = fixture["endpoint"] as? String { input.endpoint = try #require(EngineRenderOptions.Endpoint(rawValue: endpoint)) }
        return input
    }

    @Test("every rule's case gives its findings, as kimi-tok check --json printed them")
    func rules() throws {
        var codes: Set<String> = []
        for fixture in try GoldenFixtures.cases("checks.json") {
            let name = try #require(fixture["name"] as? String)
            let model = try GoldenModels.inspected(try #require(fixture["model"] as? String))
            let report = try CheckReport(try Self.input(fixture, tokenizer: model.tokenizer), model: model)
            let found = Set(report.findings.map(\.code.rawValue))
            for code in try #require(fixture["expects"] as? [String]) { #expect(found.contains(code), "\(name): no \(code)") }
            let json = try JSONWriter.encode(report)
            #expect(GoldenModels.sameJSON(json, fixture["report"] as Any), "\(name): \(String(decoding: json, as: UTF8.self))")
            codes.formUnion(found)
        }
        let checkCodes: [FindingCode] = [
            .missingGenerationPrompt, .generationPrompt, .thinkingModeMismatch, .contentListLeak, .nonstandardToolCallID, .specialTokenAsText,
            .unknownSpecialMarker, .malformedStructure, .undeclaredTool, .toolDeclarationMissing, .toolDeclarationMismatch, .toolDeclarationJSON,
            .toolCallInReasoning, .misplacedMediaToken, .idOutsideEmbedding, .specialTokenInContent, .controlTokenInText, .foreignChatMarker,
            .callIndexMismatch, .joinedTextEncoding, .leadingBOS, .emptyToolResult,
        ]
        #expect(Set(checkCodes.map(\.rawValue)).subtracting(codes).isEmpty, "no case for \(Set(checkCodes.map(\.rawValue)).subtracting(codes))")
    }

    @Test("every comparison cause's case is classified and reported as before")
    func comparisons() throws {
        var causes: Set<String> = []
        for fixture in try GoldenFixtures.cases("compares.json") {
            let name = try #require(fixture["name"] as? String)
            let model = try GoldenModels.inspected(try #require(fixture["model"] as? String))
            let report = try ComparisonReport(
                engineIDs: try #require(fixture["engine_ids"] as? [Int]), input: try Self.input(fixture, tokenizer: model.tokenizer), model: model)
            #expect(report.reference.classification.rawValue == fixture["expects"] as? String, "\(name)")
            let json = try JSONWriter.encode(report)
            #expect(GoldenModels.sameJSON(json, fixture["report"] as Any), "\(name): \(String(decoding: json, as: UTF8.self))")
            causes.insert(report.reference.classification.rawValue)
        }
        #expect(causes.count >= 15, "\(causes.sorted())")
        let steps: [FindingCode] = [
            .engineContentFormat, .engineArgumentsReserialized, .engineArgumentsDropped, .engineInstructionsMerged, .engineToolDeclarationNulls,
            .engineToolResultAlias, .engineToolChoiceFilter, .engineContentNormalized, .engineFinalMessageSpliced, .engineUserTurnRewrite,
            .engineGenerationPromptForced, .engineToolResultDropped, .engineAssistantPrefill, .enginePretokenizerSplit, .engineSpecialTokenUnknown,
        ]
        #expect(Set(steps.map(\.rawValue)).subtracting(causes).isEmpty, "no case for \(Set(steps.map(\.rawValue)).subtracting(causes))")
    }
}
