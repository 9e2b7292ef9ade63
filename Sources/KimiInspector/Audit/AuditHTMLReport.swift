import Foundation
import KimiChatTemplate
import KimiIO

/// The audit as one self-contained HTML page: the counts, a bar chart of turns per finding code
/// (inline SVG), K2VV's metrics, the counts per engine and model, and the turns with the most
/// findings, each linked to the inspector page (`kimi-tok serve`) with its request and prompt
/// IDs in the link's fragment, which never reaches a server.
public struct AuditHTMLReport: Sendable {
    /// How many of the worst turns the report lists.
    public static let worstCount = 25
    /// The largest turn (as JSON) a link carries; larger turns are listed without one.
    static let linkLimit = 48 << 10

    /// One of the worst turns.
    public struct Turn: Sendable {
        /// The turn's `id` as JSON, else its line number.
        public let label: String
        public let line: Int
        public let file: String?
        public let codes: [String]
        public let errors: Int
        /// The request, prompt IDs and engine of the turn as JSON for the inspector link.
        public let inspectorState: [UInt8]?

        /// Errors count ten times warnings and notes.
        public var weight: Int { errors * 10 + codes.count }

        public init(line result: AuditLine, text: [UInt8]) {
            label = String(decoding: JSONWriter.bytes(of: result.id), as: UTF8.self)
            line = result.number
            file = result.file
            codes = result.findings.map(\.code.rawValue)
            errors = result.findings.filter { $0.severity == .error }.count
            inspectorState = Self.state(of: text)
        }

        /// `{"engine", "prompt_token_ids", "request"}` of the turn's line, when it is small enough.
        private static func state(of text: [UInt8]) -> [UInt8]? {
            guard text.count <= AuditHTMLReport.linkLimit * 2, let turn = try? AuditTurn(line: text) else { return nil }
            var pairs: [(key: String, value: JSONValue)] = []
            if let engine = turn.engine { pairs.append(("engine", .string(engine))) }
            if let ids = turn.promptTokenIDs { pairs.append(("prompt_token_ids", .array(ids.map { .int($0) }))) }
            pairs.append(("request", turn.requestJSON))
            let bytes = JSONWriter.bytes(of: .object(pairs))
            return bytes.count <= AuditHTMLReport.linkLimit ? bytes : nil
        }
    }

    public let summary: AuditSummary
    public let worst: [Turn]
    public let inspectorURL: String

    public init(summary: AuditSummary, worst: [Turn], inspectorURL: String) {
        self.summary = summary
        self.worst = worst
        self.inspectorURL = inspectorURL
    }

    public var html: String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>kimi-tok audit</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}svg text{font:12px system-ui,sans-serif}
            .error{color:#a00}
            </style></head><body>
            <h1>kimi-tok audit</h1>
            <p id="totals"><span id="turns">\(summary.turns)</span> turns, <span id="with-findings">\(summary.turnsWithFindings)</span> with findings.</p>

            """
        page += chart()
        page += k2vvTable()
        page += groups("Per engine", summary.byEngine, id: "by-engine")
        page += groups("Per model", summary.byModel, id: "by-model")
        page += worstTable()
        page += "</body></html>\n"
        return page
    }

    /// The codes, most turns first.
    private var codes: [(code: String, turns: Int)] {
        summary.findings.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func chart() -> String {
        guard let most = codes.first?.turns, most > 0 else { return "<h2>Findings</h2><p id=\"no-findings\">No findings.</p>\n" }
        let rowHeight = 22
        let barWidth = 520.0
        var svg =
            "<h2>Findings</h2>\n<svg id=\"chart\" role=\"img\" aria-label=\"turns per finding code\" width=\"900\" height=\"\(codes.count * rowHeight + 10)\">\n"
        for (row, entry) in codes.enumerated() {
            let y = row * rowHeight + 5
            let width = max(1, (Double(entry.turns) / Double(most) * barWidth).rounded())
            svg +=
                "<g class=\"bar\" data-code=\"\(Self.escape(entry.code))\" data-turns=\"\(entry.turns)\"><text x=\"0\" y=\"\(y + 14)\">\(Self.escape(entry.code))</text>"
                + "<rect x=\"260\" y=\"\(y + 2)\" width=\"\(Int(width))\" height=\"16\" fill=\"#c0392b\"></rect>"
                + "<text x=\"\(270 + Int(width))\" y=\"\(y + 14)\">\(entry.turns)</text></g>\n"
        }
        return svg + "</svg>\n"
    }

    private func k2vvTable() -> String {
        let counts = summary.k2vv
        guard counts.responses > 0 else { return "" }
        var rows: [(String, String)] = [
            ("responses", "\(counts.responses)"), ("count_finish_reason_tool_calls", "\(counts.finishToolCalls)"),
            ("count_successful_tool_call", "\(counts.successfulToolCalls)"),
            ("schema_accuracy", counts.schemaAccuracy.map(Self.percent) ?? "–"),
        ]
        if let reference = counts.reference {
            rows += [
                ("tool_call_precision", reference.precision.map(Self.percent) ?? "–"), ("tool_call_recall", reference.recall.map(Self.percent) ?? "–"),
                ("tool_call_f1", reference.f1.map(Self.percent) ?? "–"),
            ]
        }
        return "<h2>K2 Vendor Verifier</h2>\n<table id=\"k2vv\">"
            + rows.map { "<tr><th>\($0.0)</th><td class=\"n\" data-metric=\"\($0.0)\">\($0.1)</td></tr>" }.joined() + "</table>\n"
    }

    private func groups(_ title: String, _ groups: [String: AuditSummary.Group], id: String) -> String {
        guard !groups.isEmpty else { return "" }
        var table = "<h2>\(title)</h2>\n<table id=\"\(id)\"><tr><th>name</th><th>turns</th><th>with findings</th><th>most frequent</th></tr>"
        for (name, group) in groups.sorted(by: { $0.key < $1.key }) {
            let top = group.findings.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
                .map { "\(Self.escape($0.key)) (\($0.value))" }.joined(separator: ", ")
            table +=
                "<tr><td>\(Self.escape(name.isEmpty ? "(none)" : name))</td><td class=\"n\">\(group.turns)</td><td class=\"n\">\(group.turnsWithFindings)</td><td>\(top)</td></tr>"
        }
        return table + "</table>\n"
    }

    private func worstTable() -> String {
        guard !worst.isEmpty else { return "" }
        var table = "<h2>Turns with the most findings</h2>\n<table id=\"worst\"><tr><th>turn</th><th>line</th><th>errors</th><th>findings</th><th></th></tr>"
        for turn in worst {
            let link =
                turn.inspectorState.map {
                    "<a class=\"inspect\" href=\"\(Self.escape(inspectorURL))/#turn=\(Self.base64URL($0))\">open in the inspector</a>"
                } ?? "(too large to link)"
            let place = (turn.file.map { Self.escape($0) + ":" } ?? "") + "\(turn.line)"
            table +=
                "<tr class=\"turn\"><td>\(Self.escape(turn.label))</td><td>\(place)</td><td class=\"n error\">\(turn.errors)</td>"
                + "<td>\(turn.codes.map(Self.escape).joined(separator: ", "))</td><td>\(link)</td></tr>"
        }
        return table + "</table>\n"
    }

    private static func percent(_ rate: Double) -> String { String(format: "%.2f%%", rate * 100) }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func escape(_ text: String) -> String { HTMLText.escaped(text) }
}
