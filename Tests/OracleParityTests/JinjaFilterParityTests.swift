import Foundation
import KimiChatTemplate
import KimiIO
import TestSupport
import Testing

/// jinja2's text, number and collection filters on thousands of seeded inputs, against jinja2
/// itself (through the oracle's renderer): strings of letters, whitespace of every kind, tags,
/// comments, character references, URLs and e-mail addresses; floats and byte counts of every
/// magnitude; lists; nested values; attribute dicts. One template per filter call loops over
/// the inputs and prints each answer between separators, so every input is compared on its own.
enum JinjaFilterParityTests {
    static let separator = "\u{1}§\u{1}"

    /// The inputs of one seed, by kind.
    static func inputs(seed: UInt64, count: Int) -> [(String, [JSONText])] {
        var random = RandomText(seed: seed)
        let atoms: [String] =
            Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789").map(String.init)
            + Array("   \t\n-_.,;:!?&<>#/'\"()[]").map(String.init)
            + [
                "é", "中", "文", "ß", "😀", "\u{A0}", "\u{2028}", "\r\n", "\u{0B}", "&amp;", "&lt;", "&#169;", "&#x41;", "&copy", "<b>", "</b>",
                "<!--", "-->", "--", "http://", "www.", ".com", "@", "mailto:", "x@y.org", "https://ex.io/p?q=1", "(", ")",
            ]
        func string(_ longest: Int) -> String {
            (0..<random.below(longest + 1)).map { _ in random.pick(atoms) }.joined()
        }
        func value(_ depth: Int) -> JSONText {
            switch random.below(depth < 3 ? 8 : 5) {
            case 0: return .int(random.below(2_000_001) - 1_000_000)
            case 1: return .float(random.pick([0.5, 1.25, -3.75, 1e20, 123456.789, 2.675, 0.1, -0.0]))
            case 2: return .string(string(60))
            case 3: return random.pick([.bool(true), .bool(false), .null])
            case 4: return .string(String(repeating: "w ", count: random.below(31)))
            case 5: return .array((0..<random.below(7)).map { _ in value(depth + 1) })
            case 6: return .object((0..<random.below(6)).map { _ in (string(8), value(depth + 1)) })
            default: return .array([value(depth + 1), value(depth + 1)])
            }
        }
        func number() -> JSONText {
            switch random.below(3) {
            case 0: return .float(Double(random.below(2_000_001)) / 1000 - 1000)
            case 1: return .float(Double(random.below(200_001) - 100_000) / 8)
            default: return .float(Double(random.below(1_000_000)) / 1_000_000 * pow(10, Double(random.below(21) - 5)))
            }
        }
        func size() -> JSONText {
            switch random.below(3) {
            case 0: return .int(random.below(2001))
            case 1: return .int(random.below(10_000_000_000_000))
            default: return .float(Double(random.below(1_000_000)) / 1_000_000 * pow(10, Double(random.below(29))))
            }
        }
        let keys = ["class", "id", "x", "data-k", "q"]
        return [
            ("s", (0..<count).map { _ in .string(string(40)) }),
            ("v", (0..<count).map { _ in value(0) }),
            ("f", (0..<count).map { _ in number() }),
            ("i", (0..<count).map { _ in size() }),
            ("l", (0..<count).map { _ in .array((0..<random.below(13)).map { _ in .int(random.below(10)) }) }),
            (
                "d",
                (0..<count).map { _ in
                    .object(
                        (0..<random.below(5)).map { index in
                            (random.pick(keys) + String(index), random.pick([.string(string(10)), .null, .int(3)]))
                        })
                }
            ),
        ]
    }

    /// Each filter call, on which kind of input.
    static let calls: [(kind: String, body: String)] = {
        var calls: [(String, String)] = []
        for width in [1, 3, 5, 8, 13, 30] {
            calls.append(("s", "{{ x | wordwrap(\(width)) }}"))
            calls.append(("s", "{{ x | wordwrap(\(width), false) }}"))
            calls.append(("s", "{{ x | wordwrap(\(width), break_on_hyphens=false) }}"))
        }
        calls += [
            ("s", "{{ x | indent }}|{{ x | indent(2, true) }}|{{ x | indent('> ', blank=true) }}"),
            ("s", "[{{ x | center(7) }}][{{ x | center(50) }}]"),
            ("s", "{{ x | wordcount }}"),
            ("s", "{{ x | striptags }}"),
            ("s", "{{ x | urlize }}"),
            ("s", "{{ x | urlize(8, true, target='_t') }}"),
            ("s", "{{ x | urlencode }}"),
            ("s", "{{ x | forceescape }}|{{ x | e }}"),
            ("v", "{{ x | pprint }}"),
            ("f", "{{ x | round }}|{{ x | round(2) }}|{{ x | round(1, 'floor') }}|{{ x | round(-1) }}|{{ x | round(3, 'ceil') }}"),
            ("i", "{{ x | filesizeformat }}|{{ x | filesizeformat(true) }}"),
            ("l", "{{ x | batch(3) | list }}|{{ x | batch(4, 0) | list }}|{{ x | slice(3) | list }}|{{ x | slice(4, 'z') | list }}|{{ x | sum }}"),
            ("d", "{{ x | xmlattr }}"),
        ]
        return calls
    }()

}

extension LiveChatFormatParity {
    @Test("every filter answers every seeded input as jinja2 does", arguments: [UInt64(1), 2])
    func seeded(seed: UInt64) throws {
        let inputs = JinjaFilterParityTests.inputs(seed: seed, count: 400)
        let messages = JSONText.array([
            .object([("role", .string("user")), ("content", .string("x")), ("data", .object(inputs.map { ($0.0, .array($0.1)) }))])
        ])
        let request = try ChatRequest.read(messagesJSON: Array(messages.text.utf8))
        let templates = JinjaFilterParityTests.calls.map { call in
            "{% for x in messages[0].data['\(call.kind)'] %}\(call.body)\(JinjaFilterParityTests.separator){% endfor %}"
        }
        let lines = templates.map { template in
            "{\"op\":\"render\",\"messages\":\(messages.text),\"tools\":null,\"add_generation_prompt\":false,\"template\":\(JSONText.quote(template))}"
        }
        let answers = try Reference.oracle.get().batch(lines: lines)
        var compared = 0
        var mismatches = 0
        for ((call, template), answer) in zip(zip(JinjaFilterParityTests.calls, templates), answers) {
            let expected = try #require(answer["prompt"] as? String, "jinja2 raised on \(call.body): \(answer["error"] ?? "?")")
            let ours = try ChatRenderer(template: Template(source: template, name: "filters")).render(request, addGenerationPrompt: false)
            let kinds = Dictionary(uniqueKeysWithValues: inputs)
            for (index, (mine, theirs)) in zip(
                ours.components(separatedBy: JinjaFilterParityTests.separator), expected.components(separatedBy: JinjaFilterParityTests.separator)
            )
            .enumerated() {
                compared += 1
                if mine != theirs {
                    mismatches += 1
                    if mismatches <= 10 {
                        let input = kinds[call.kind].map { $0[index].text } ?? "?"
                        Issue.record("\(call.body) on \(input):\n  kimi-tok \(mine.debugDescription)\n  jinja2   \(theirs.debugDescription)")
                    }
                }
            }
        }
        print("jinja filter parity [seed \(seed)]: \(compared - mismatches)/\(compared) answers agree")
        #expect(mismatches == 0)
        // Each answer is followed by a separator, so each call also compares the empty rest.
        #expect(compared == JinjaFilterParityTests.calls.count * 401)
    }
}
