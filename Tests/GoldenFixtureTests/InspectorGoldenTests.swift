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
        if let request = fixture["request"] {
            source = .request(try GoldenModels.request(request))
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
        return InspectionInput(
            source: source, standaloneTools: tools, variables: try GoldenModels.variables(fixture["variables"]),
            expectsGenerationPrompt: fixture["add_generation_prompt"] as? Bool ?? true,
            engine: try engine.map { try #require(EngineProfiles.named($0)) } ?? EngineProfiles.reference)
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
            .callIndexMismatch, .joinedTextEncoding, .leadingBOS,
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
    }
}
