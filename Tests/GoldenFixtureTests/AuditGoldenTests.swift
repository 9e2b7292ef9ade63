import Foundation
import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer
import TestSupport
import Testing

/// `audit` on the turns of `Tests/Fixtures/audit/` (made by `scripts/generate-turns`, which
/// planted one defect or none in each and counted K2VV's metrics itself), and K2VV's metrics on
/// a fixture small enough to count by hand.
@Suite("Golden audit: planted defects, K2VV's metrics", .needsVocabulary)
struct AuditGoldenTests {
    static func lines(_ name: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: GoldenFixtures.directory.appendingPathComponent("audit/\(name)"))
        return data.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }.filter { !$0.isEmpty }
    }

    static func auditor() throws -> TurnAuditor {
        try TurnAuditor(model: try GoldenModels.inspected("kimi-k2"), engine: EngineProfiles.reference)
    }

    /// Audits `turns` (JSON lines, numbered from 1) into a summary, with the records.
    static func audit(
        _ turns: [[UInt8]], firstLine: Int = 1, reference: ReferenceResponses? = nil, auditor: TurnAuditor
    ) -> ([AuditLine], AuditSummary) {
        var summary = AuditSummary()
        var results: [AuditLine] = []
        for (index, line) in turns.enumerated() {
            let result = AuditLine(line, number: firstLine + index, file: nil, auditor: auditor)
            if let audit = result.audit {
                summary.add(audit, reference: reference?.answer(for: result.key) ?? .notGiven)
            } else {
                summary.addBadRecord()
            }
            results.append(result)
        }
        return (results, summary)
    }

    @Test("every turn has exactly the finding codes planted in it, and every audit code is planted")
    func plantedDefects() throws {
        let (results, _) = Self.audit(try Self.lines("turns.jsonl"), auditor: try Self.auditor())
        let expected = try Self.lines("expected.jsonl").map { try JSONReader.parse($0) }
        #expect(results.count == expected.count)
        var seen: Set<String> = []
        for (result, planted) in zip(results, expected) {
            let record = try JSONReader.parse(result.record)
            guard case let .array(findings)? = record["findings"], case let .array(codes)? = planted["codes"] else {
                Issue.record("a record or an expectation without its list")
                continue
            }
            let found = Set(findings.compactMap { if case let .string(code)? = $0["code"] { code } else { nil } })
            let wanted = Set(codes.compactMap { if case let .string(code) = $0 { code } else { nil } })
            #expect(found == wanted, "line \(String(describing: planted["line"])): found \(found.sorted()), planted \(wanted.sorted())")
            seen.formUnion(found)
        }
        for code in FindingCode.audit { #expect(seen.contains(code.rawValue), "no turn of the fixture has \(code)") }
    }

    @Test("K2VV's counts and rates equal the generator's own count, and halves merge into the whole")
    func k2vvCounts() throws {
        var reference = ReferenceResponses()
        for (index, line) in try Self.lines("reference.jsonl").enumerated() { reference.add(line: line, number: index + 1) }
        let turns = try Self.lines("turns.jsonl")
        let auditor = try Self.auditor()
        let (_, summary) = Self.audit(turns, reference: reference, auditor: auditor)
        let expected = try JSONReader.parse(Array(try Data(contentsOf: GoldenFixtures.directory.appendingPathComponent("audit/expected-summary.json"))))
        let counts = summary.k2vv
        #expect(.int(counts.responses) == expected["responses"])
        #expect(.int(counts.failureCount) == expected["failure_count"])
        #expect(.int(counts.finishToolCalls) == expected["count_finish_reason_tool_calls"])
        #expect(.int(counts.successfulToolCalls) == expected["count_successful_tool_call"])
        let confusion = try #require(counts.reference)
        #expect(.int(confusion.truePositives) == expected["tp"])
        #expect(.int(confusion.falsePositives) == expected["fp"])
        #expect(.int(confusion.falseNegatives) == expected["fn"])
        #expect(.int(confusion.trueNegatives) == expected["tn"])
        if case let .float(f1)? = expected["tool_call_f1"] { #expect(confusion.f1 == f1) } else { Issue.record("no tool_call_f1") }
        if case let .float(accuracy)? = expected["schema_accuracy"] { #expect(counts.schemaAccuracy == accuracy) } else { Issue.record("no schema_accuracy") }

        // Counts, not rates: two halves audited apart add up to the whole, through JSON.
        let half = turns.count / 2
        var first = Self.audit(Array(turns[..<half]), reference: reference, auditor: auditor).1
        let second = Self.audit(Array(turns[half...]), firstLine: half + 1, reference: reference, auditor: auditor).1
        let decoded = try JSONDecoder().decode(AuditSummary.self, from: Data(try JSONWriter.encode(second)))
        first.merge(decoded)
        #expect(first.k2vv == summary.k2vv)
        #expect(first.findings == summary.findings)
        #expect(first.byEngine == summary.byEngine && first.byModel == summary.byModel && first.turns == summary.turns)
    }

    /// Eight responses counted by hand:
    /// 1 tool_calls, valid → finish_tool_calls 1, successful 1; the reference called → TP.
    /// 2 tool_calls, "days" is a string where the schema says integer → schema error; reference stop → FP.
    /// 3 tool_calls to a tool the request does not declare → schema error; reference called → TP.
    /// 4 tool_calls with no calls in the message → schema error (K2VV: tool_calls_valid None); reference called → TP.
    /// 5 stop → finish_stop; reference called → FN.
    /// 6 length → finish_others {"length": 1}; reference stop → TN.
    /// 7 a K2VV failure (status failed, an error object) → failure_count; no reference → unmatched.
    /// 8 tool_calls whose tool has "parameters": {} → K2VV's `if not schema` fails it; reference stop → FP.
    /// So count_finish_reason_tool_calls 5, count_successful_tool_call 1, schema_accuracy 1/5;
    /// TP 3, FP 2, FN 1, TN 1, unmatched 1; precision 3/5, recall 3/4.
    @Test("K2VV's metrics on eight responses counted by hand")
    func k2vvByHand() throws {
        let tools =
            #"[{"type":"function","function":{"name":"w","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}}},{"type":"function","function":{"name":"e","parameters":{}}}]"#
        func turn(_ id: Int, _ finish: String, calls: String = "", status: String = "success") -> String {
            let message = calls.isEmpty ? #"{"role":"assistant","content":"ok"}"# : #"{"role":"assistant","content":"","tool_calls":[\#(calls)]}"#
            return
                #"{"data_index":\#(id),"status":"\#(status)","request":{"messages":[{"role":"user","content":"hi"}],"tools":\#(tools)},"response":{"choices":[{"index":0,"finish_reason":"\#(finish)","message":\#(message)}]}}"#
        }
        func call(_ name: String, _ arguments: String) -> String {
            #"{"id":"functions.\#(name):0","type":"function","function":{"name":"\#(name)","arguments":\#(String(decoding: JSONWriter.bytes(of: .string(arguments)), as: UTF8.self))}}"#
        }
        let turns = [
            turn(1, "tool_calls", calls: call("w", #"{"city":"Oslo","days":2}"#)),
            turn(2, "tool_calls", calls: call("w", #"{"city":"Oslo","days":"2"}"#)),
            turn(3, "tool_calls", calls: call("x", #"{}"#)),
            turn(4, "tool_calls"),
            turn(5, "stop"),
            turn(6, "length"),
            #"{"data_index":7,"status":"failed","request":{"messages":[{"role":"user","content":"hi"}]},"response":{"error_type":"APITimeoutError","error":"timed out"}}"#,
            turn(8, "tool_calls", calls: call("e", #"{}"#)),
        ]
        var reference = ReferenceResponses()
        for (id, called) in [(1, true), (2, false), (3, true), (4, true), (5, true), (6, false), (8, false)] {
            reference.add(line: Array(turn(id, called ? "tool_calls" : "stop", calls: called ? call("w", #"{"city":"A"}"#) : "").utf8), number: id)
        }
        let (_, summary) = Self.audit(turns.map { Array($0.utf8) }, reference: reference, auditor: try Self.auditor())
        let counts = summary.k2vv
        #expect(counts.responses == 8 && counts.successCount == 7 && counts.failureCount == 1)
        #expect(counts.finishToolCalls == 5 && counts.successfulToolCalls == 1 && counts.schemaValidationErrors == 4)
        #expect(counts.finishStop == 1 && counts.finishOthers == 1 && counts.finishOthersDetail == ["length": 1])
        #expect(counts.schemaAccuracy == 0.2)
        let confusion = try #require(counts.reference)
        #expect(confusion.truePositives == 3 && confusion.falsePositives == 2 && confusion.falseNegatives == 1)
        #expect(confusion.trueNegatives == 1 && confusion.unmatched == 1)
        #expect(confusion.precision == 0.6 && confusion.recall == 0.75)
        #expect(abs((confusion.f1 ?? 0) - 2 * 0.6 * 0.75 / 1.35) < 1e-12)
    }
}
