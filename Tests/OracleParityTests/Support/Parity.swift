import Foundation
import KimiTokenizer
import Testing

/// Compares kimi-tok with the oracle on many texts and reports mismatches precisely.
enum Parity {
    /// Encodes every text with kimi-tok and the oracle in `mode`; records an issue for each
    /// mismatch (the first few in detail) and returns the number of identical results.
    @discardableResult
    static func check(
        _ texts: [String], mode: EncodeMode, label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        let tokenizer = try Reference.tokenizer.get()
        var expected: [[Int]] = []
        for start in stride(from: 0, to: texts.count, by: 2_000) {
            expected += try Reference.encode(Array(texts[start..<min(start + 2_000, texts.count)]), mode: mode)
        }
        var identical = 0
        var reported = 0
        var roundTripFailures = 0
        for (index, text) in texts.enumerated() {
            let actual = try tokenizer.encode(text, mode: mode)
            if actual == expected[index] {
                identical += 1
            } else if reported < 5 {
                reported += 1
                Issue.record(
                    Comment(rawValue: describe(text, actual, expected[index], tokenizer)),
                    sourceLocation: sourceLocation)
            }
            if try tokenizer.decode(actual) != text { roundTripFailures += 1 }
        }
        print(
            "parity \(label) [\(mode.rawValue)]: \(identical)/\(texts.count) identical IDs, "
                + "\(texts.count - roundTripFailures)/\(texts.count) decode(encode(x)) == x")
        #expect(
            identical == texts.count, "\(label) [\(mode.rawValue)]: \(texts.count - identical) mismatches",
            sourceLocation: sourceLocation)
        #expect(
            roundTripFailures == 0, "\(label): \(roundTripFailures) texts do not round-trip",
            sourceLocation: sourceLocation)
        return identical
    }

    private static func describe(
        _ text: String, _ actual: [Int], _ expected: [Int],
        _ tokenizer: KimiTokenizer
    ) -> String {
        let first =
            zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actual.count, expected.count)
        func window(_ ids: [Int]) -> String {
            let slice = ids[max(0, first - 2)..<min(ids.count, first + 4)]
            return slice.map { id in
                "\(id):" + TokenDisplay.visible((try? tokenizer.tokenBytes(id)) ?? [])
            }.joined(separator: " ")
        }
        let shown = TokenDisplay.visible(Array(text.utf8).prefix(300))
        return "mismatch at token \(first) for \(text.utf8.count)-byte text \"\(shown)\"\n"
            + "  kimi-tok: \(window(actual))\n  oracle:   \(window(expected))"
    }
}
