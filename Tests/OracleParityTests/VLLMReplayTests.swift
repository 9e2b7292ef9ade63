import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer
import TestSupport
import Testing

/// The vLLM engine profile against what vLLM 0.33.0 itself built: every request of
/// `../shared/engines/vllm-0.33.0/kimi-k2-chat.jsonl`, with content format `auto` and `string`,
/// must give vLLM's prompt, token IDs and detected content format exactly.
enum VLLMReplayTests {
    struct Record {
        let request: [UInt8]
        let template: String?
        /// Per content format (`auto`, `string`): the detected format, the prompt, the IDs.
        let expected: [(format: ContentFormat, detected: ContentFormat, prompt: String, ids: [Int])]
    }

    static func records() throws -> [Record] {
        let url = TestEnvironment.sharedDirectory.appendingPathComponent("engines/vllm-0.33.0/kimi-k2-chat.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let value = try JSONReader.parse(Array(line.utf8))
            guard let request = value["request"], case let .object(answers)? = value["vllm"] else {
                throw OracleFailure(message: "unexpected record shape")
            }
            let template: String? = if case let .string(name)? = value["template"] { name } else { nil }
            let expected = try answers.map { key, answer in
                guard let format = ContentFormat(rawValue: key), case let .string(detectedName)? = answer["detected_content_format"],
                    let detected = ContentFormat(rawValue: detectedName), case let .string(prompt)? = answer["prompt"],
                    case let .array(ids)? = answer["ids"]
                else { throw OracleFailure(message: "unexpected answer shape") }
                return (format, detected, prompt, ids.compactMap { if case let .int(id) = $0 { id } else { nil } })
            }
            return Record(request: Array((try Value(json: request).compactJSON()).utf8), template: template, expected: expected)
        }
    }

}

extension LiveChatFormatParity {
    @Test("every recorded request, both content formats: identical prompts, IDs and detected formats")
    func replay() throws {
        let tokenizer = try Reference.tokenizer.get()
        let model = ModelDirectory(path: Reference.referenceModelDirectory, source: .option)
        let own = try ChatRenderer(modelDirectory: model)
        var renderers: [String: ChatRenderer] = [:]
        func renderer(_ name: String?) throws -> ChatRenderer {
            guard let name else { return own }
            if let cached = renderers[name] { return cached }
            let path = TestEnvironment.sharedDirectory.appendingPathComponent("templates/\(name)").path
            let made = try ChatRenderer(modelDirectory: model, templatePath: path)
            renderers[name] = made
            return made
        }
        var identical: [ContentFormat: Int] = [:]
        var total: [ContentFormat: Int] = [:]
        var reported = 0
        for record in try VLLMReplayTests.records() {
            let request = try ChatRequest.read(messagesJSON: record.request)
            let addGenerationPrompt: Bool = {
                if case let .dict(box)? = try? JSONReader.parseValue(record.request), case let .bool(flag)? = box[.string("add_generation_prompt")] {
                    return flag
                }
                return true
            }()
            for expected in record.expected {
                total[expected.format, default: 0] += 1
                let rendered = try renderer(record.template).render(
                    request, engine: VLLMEngine(), EngineRenderOptions(contentFormat: expected.format, addGenerationPrompt: addGenerationPrompt))
                let ids = try tokenizer.encode(rendered.prompt, mode: .hf)
                if rendered.prompt == expected.prompt, ids == expected.ids, rendered.contentFormat == expected.detected {
                    identical[expected.format, default: 0] += 1
                } else if reported < 5 {
                    reported += 1
                    let first =
                        zip(rendered.prompt.unicodeScalars, expected.prompt.unicodeScalars).enumerated()
                        .first { $0.element.0 != $0.element.1 }?.offset ?? min(rendered.prompt.unicodeScalars.count, expected.prompt.unicodeScalars.count)
                    Issue.record(
                        "\(record.template ?? "model template") \(expected.format.rawValue): format \(rendered.contentFormat?.rawValue ?? "-") vs \(expected.detected.rawValue); prompts differ at scalar \(first)\nkimi-tok: \(String(String.UnicodeScalarView(rendered.prompt.unicodeScalars.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)\nvLLM:     \(String(String.UnicodeScalarView(expected.prompt.unicodeScalars.dropFirst(max(0, first - 80)).prefix(200))).debugDescription)"
                    )
                }
            }
        }
        for format in [ContentFormat.auto, .string] {
            print(
                "vllm replay [\(format.rawValue)]: \(identical[format, default: 0])/\(total[format, default: 0]) identical prompts, IDs and content formats"
            )
            #expect(identical[format, default: 0] == total[format, default: 0])
        }
        #expect(total[.auto, default: 0] == 1_300)
    }
}
