import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
@_spi(Testing) import KimiTokenizer
import TestSupport
import Testing

/// Invariants over many inputs, and the same answers from many threads at once.
@Suite("Properties and concurrency", .needsVocabulary)
struct PropertyTests {
    static func texts(_ count: Int, seed: UInt64) -> [String] {
        var random = RandomText(seed: seed)
        return (0..<count).map { _ in random.string(maximumAtoms: 40) }
    }

    @Test func encodingIsDeterministicAndHFAgreesWithTiktokenBelowTheSplit() throws {
        let tokenizer = try Reference.tokenizer.get()
        for text in Self.texts(5_000, seed: 0x9A0B) {
            let hf = try tokenizer.encode(text, mode: .hf)
            #expect(try tokenizer.encode(text, mode: .hf) == hf)
            #expect(try tokenizer.encode(text, mode: .tiktoken) == hf, "no run reaches 25,000 characters here")
            #expect(try tokenizer.decode(hf) == text)
        }
    }

    @Test func moreIDsThanTheDirectBufferHolds() throws {
        let tokenizer = try Reference.tokenizer.get()
        // Letter-digit pairs: one token per byte, past the IDs written straight into the
        // returned array, so the buffer grows and is copied mid-encode.
        let units = ["a1", "b2", "c3", "Z9"]
        let unitIDs = try units.map { try tokenizer.encode($0, mode: .ordinary) }
        #expect(unitIDs.allSatisfy { $0.count == 2 })
        var random = RandomText(seed: 0xB16)
        let choices = (0..<(KimiTokenizer.directIDLimit / 2 + 100_000)).map { _ in random.below(units.count) }
        let text = choices.map { units[$0] }.joined()
        let expected = Array(choices.map { unitIDs[$0] }.joined())
        for mode in EncodeMode.allCases {
            let ids = try tokenizer.encode(text, mode: mode)
            #expect(ids.count == expected.count && ids == expected, "\(mode): \(ids.count) IDs")
        }
    }

    @Test func compareOfAStreamWithItselfIsEqual() throws {
        let tokenizer = try Reference.tokenizer.get()
        for text in Self.texts(300, seed: 0xC0C0) {
            let ids = try tokenizer.encode(text)
            let comparison = StreamComparison(reference: ids, engine: ids, tokenizer: tokenizer)
            #expect(comparison.equal && comparison.hunks.isEmpty && comparison.classification == .equal)
        }
    }

    @Test(.needsShared) func encodeAndRenderFromManyTasksMatchSequentialResults() async throws {
        let tokenizer = try Reference.tokenizer.get()
        // Short texts, and long ones that go through the per-call piece cache.
        let texts = Self.texts(2_000, seed: 0x7A5C) + (0..<40).map { Self.texts(100, seed: UInt64($0)).joined(separator: " ") }
        let sequential = try texts.map { try tokenizer.encode($0) }
        let template = try Template(
            source: try String(contentsOf: Reference.sharedDirectory.appendingPathComponent("templates/kimi-k2.5.jinja"), encoding: .utf8), name: "k2.5")
        let renderer = ChatRenderer(template: template)
        let requests = try texts.prefix(200).map { text in
            try ChatRequest.read(messagesJSON: Array("[{\"role\": \"user\", \"content\": \(JSONText.quote(text))}]".utf8))
        }
        let rendered = try requests.map { try renderer.render($0) }
        let (encoded, renders) = try await withThrowingTaskGroup(of: (Int, [Int]?, String?).self) { group in
            for index in texts.indices {
                group.addTask {
                    let ids = try tokenizer.encode(texts[index])
                    let prompt = index < requests.count ? try renderer.render(requests[index]) : nil
                    return (index, ids, prompt)
                }
            }
            var encoded = [[Int]](repeating: [], count: texts.count)
            var renders = [String](repeating: "", count: requests.count)
            for try await (index, ids, prompt) in group {
                encoded[index] = ids ?? []
                if let prompt { renders[index] = prompt }
            }
            return (encoded, renders)
        }
        #expect(encoded == sequential)
        #expect(renders == rendered)
    }

    /// Each character written raw, as `\uXXXX` (a surrogate pair above the BMP, hex digits in
    /// either case) or as its short escape, chosen at random: the reader gives the text back.
    @Test func jsonStringsReadBackHoweverTheyAreEscaped() throws {
        var random = RandomText(seed: 0x15_0E5C)
        for text in Self.texts(5_000, seed: 0x150A) {
            var literal: [UInt8] = [0x22]
            for scalar in text.unicodeScalars {
                let short: String? =
                    switch scalar {
                    case "\"": "\\\""
                    case "\\": "\\\\"
                    case "/": "\\/"
                    case "\u{08}": "\\b"
                    case "\u{0C}": "\\f"
                    case "\n": "\\n"
                    case "\r": "\\r"
                    case "\t": "\\t"
                    default: nil
                    }
                let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
                switch random.below(3) {
                case 0 where !mustEscape:
                    literal += Array(String(scalar).utf8)
                case 1 where short != nil:
                    literal += Array(short.unsafelyUnwrapped.utf8)
                default:
                    for unit in String(scalar).utf16 {
                        let hex = String(repeating: "0", count: 4 - String(unit, radix: 16).count) + String(unit, radix: 16)
                        literal += Array(("\\u" + (random.below(2) == 0 ? hex : hex.uppercased())).utf8)
                    }
                }
            }
            literal.append(0x22)
            guard case let .string(read) = try JSONReader.parseValue(literal) else {
                Issue.record("not a string: \(String(decoding: literal, as: UTF8.self).debugDescription)")
                continue
            }
            #expect(read == text, "\(String(decoding: literal, as: UTF8.self).debugDescription)")
        }
    }

    /// A bad byte anywhere in a string literal, in a run before or after an escape, is reported.
    @Test func jsonStringsWithInvalidUTF8AreRejected() {
        var random = RandomText(seed: 0xBAD_0F8)
        for text in Self.texts(2_000, seed: 0xBAD8) {
            // Cut at a character of the text (an escaped backslash in the middle), between the
            // escapes a writer makes, so the bad bytes land in a run and not inside an escape.
            let scalars = Array((text + "\\" + text).unicodeScalars)
            let cut = random.below(scalars.count + 1)
            func body(_ part: ArraySlice<Unicode.Scalar>) -> [UInt8] {
                Array(JSONText.quote(String(String.UnicodeScalarView(part))).utf8.dropFirst().dropLast())
            }
            let bad: [[UInt8]] = [[0xFF], [0x80], [0xC3], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80]]
            let literal = [0x22] + body(scalars[..<cut]) + random.pick(bad) + body(scalars[cut...]) + [0x22]
            #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parseValue(literal) }
            do { _ = try JSONReader.parseValue(literal) } catch {
                #expect(error.message == "invalid UTF-8 in a string", "\(literal)")
            }
        }
    }
}
