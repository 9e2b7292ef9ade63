import KimiIO

/// One log line audited: the JSON line `audit` writes for it, and what the summary counts.
public struct AuditLine: Sendable {
    /// `{"file"?, "findings": [...], "id": ..., "line": N}`: the turn's `id`, else its line number.
    public let record: [UInt8]
    /// Whether the turn has a finding of any severity.
    public let hasFindings: Bool
    /// Whether the turn has a finding of severity error.
    public let hasErrors: Bool
    /// The turn's audit; `nil` for a line that is not a turn (a `bad-record`).
    public let audit: TurnAudit?
    /// The key the turn is matched by against reference responses.
    public let key: String
    /// What the record holds: the findings, the turn's `id` (else its line number), the line, the file.
    public let findings: [Finding]
    public let id: JSONValue
    public let number: Int
    public let file: String?

    /// Audits `line` (line `number` of `file`, which is written only when given).
    public init(_ line: [UInt8], number: Int, file: String?, auditor: TurnAuditor) {
        let findings: [Finding]
        var id: JSONValue = .int(number)
        var audit: TurnAudit?
        do {
            let turn = try AuditTurn(line: line)
            id = turn.id ?? id
            audit = auditor.audit(turn)
            findings = audit?.findings ?? []
        } catch {
            findings = [Self.badRecord(error)]
        }
        self.init(findings: findings, audit: audit, id: id, number: number, file: file)
    }

    /// A line of `length` bytes, longer than `limit`, which was skipped without being read.
    public init(tooLong length: Int, limit: Int, number: Int, file: String?) {
        let finding = Finding(
            code: .badRecord, severity: .error, message: "the line is \(length) bytes, over the limit of \(limit) (--max-line-bytes): not read",
            fix: "log each turn as one line of at most the limit, or raise --max-line-bytes")
        self.init(findings: [finding], audit: nil, id: .int(number), number: number, file: file)
    }

    private init(findings: [Finding], audit: TurnAudit?, id: JSONValue, number: Int, file: String?) {
        self.audit = audit
        self.findings = findings
        self.id = id
        self.number = number
        self.file = file
        key = Self.key(id: id, number: number)
        hasFindings = !findings.isEmpty
        hasErrors = findings.contains { $0.severity == .error }
        var bytes = Array("{".utf8)
        if let file { bytes += Array("\"file\":".utf8) + JSONWriter.bytes(of: .string(file)) + [UInt8(ascii: ",")] }
        bytes += Array("\"findings\":".utf8)
        bytes += findings.isEmpty ? Array("[]".utf8) : (try? JSONWriter.encode(findings)) ?? Array("[]".utf8)
        bytes += Array(",\"id\":".utf8) + JSONWriter.bytes(of: id) + Array(",\"line\":\(number)}".utf8)
        record = bytes
    }

    /// The key a turn is matched by against the reference's responses: its `id` as JSON, else
    /// its line number.
    public static func key(id: JSONValue?, number: Int) -> String {
        guard let id else { return "line \(number)" }
        if case .int = id, id == .int(number) { return "line \(number)" }
        return String(decoding: JSONWriter.bytes(of: id), as: UTF8.self)
    }

    /// A line that is not a turn, with the line and column of a JSON syntax error.
    private static func badRecord(_ error: any Error) -> Finding {
        let message =
            if let syntax = error as? JSONReader.SyntaxError {
                "not a JSON object at column \(syntax.column) (byte \(syntax.offset)): \(syntax.message)"
            } else {
                "not a turn: \(error)"
            }
        return Finding(code: .badRecord, severity: .error, message: message, fix: "log each turn as one JSON object on one line")
    }
}

/// The reference's responses to the same requests (`--reference`): for each turn's key, whether
/// the reference finished with `tool_calls`.
public struct ReferenceResponses: Sendable {
    private var finishedWithToolCalls: [String: Bool] = [:]

    public init() {}

    /// Reads one line of a reference file (a turn, or a K2VV result line); lines that are not
    /// turns are skipped, as K2VV skips them.
    public mutating func add(line: [UInt8], number: Int) {
        guard let turn = try? AuditTurn(line: line) else { return }
        let reason: String? =
            switch turn.response {
            case let .object(object)?: K2VVOutcome(response: object, request: turn.requestJSON, status: turn.status).finishReason
            case let .stream(text)?: K2VVOutcome(choice: CompletionResponse.stream(text)?.first, request: turn.requestJSON).finishReason
            case nil: nil
            }
        finishedWithToolCalls[AuditLine.key(id: turn.id, number: number)] = reason == "tool_calls"
    }

    /// The reference's answer for the turn with `key`.
    public func answer(for key: String) -> AuditSummary.ReferenceAnswer {
        finishedWithToolCalls[key].map { .finished(toolCalls: $0) } ?? .missing
    }

    public var count: Int { finishedWithToolCalls.count }
}
