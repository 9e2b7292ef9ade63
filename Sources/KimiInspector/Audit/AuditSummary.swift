import KimiIO

/// The counts of an audit: turns read, turns with each finding code, per model and per engine,
/// and K2VV's counts. Only counts are stored, so summaries of parts of a log add up to the
/// summary of the whole (``merge(_:)``); the rates (`schema_accuracy`, precision, recall, F1)
/// are derived from them when written.
public struct AuditSummary: Sendable, Codable, Equatable {
    /// Lines read as turns (bad records included).
    public var turns = 0
    /// Turns with at least one finding.
    public var turnsWithFindings = 0
    /// Finding code → the number of turns with it.
    public var findings: [String: Int] = [:]
    /// Request `model` → its counts ("" for requests without one).
    public var byModel: [String: Group] = [:]
    /// Engine profile → its counts.
    public var byEngine: [String: Group] = [:]
    public var k2vv = K2VVCounts()

    /// The counts of the turns of one model or engine.
    public struct Group: Sendable, Codable, Equatable {
        public var turns = 0
        public var turnsWithFindings = 0
        public var findings: [String: Int] = [:]

        mutating func add(_ codes: Set<String>) {
            turns += 1
            if !codes.isEmpty { turnsWithFindings += 1 }
            for code in codes { findings[code, default: 0] += 1 }
        }

        mutating func merge(_ other: Group) {
            turns += other.turns
            turnsWithFindings += other.turnsWithFindings
            findings.merge(other.findings, uniquingKeysWith: +)
        }

        enum CodingKeys: String, CodingKey {
            case turns, findings
            case turnsWithFindings = "turns_with_findings"
        }
    }

    public init() {}

    /// How the reference's response to a turn's request finished (`--reference`).
    public enum ReferenceAnswer: Sendable {
        /// No reference responses were given.
        case notGiven
        /// The reference has no response with the turn's key.
        case missing
        /// The reference response finished with `tool_calls`, or not.
        case finished(toolCalls: Bool)
    }

    /// Counts one audited turn, with the reference's answer to the same request.
    public mutating func add(_ audit: TurnAudit, reference: ReferenceAnswer = .notGiven) {
        let codes = Set(audit.findings.map(\.code.rawValue))
        turns += 1
        if !codes.isEmpty { turnsWithFindings += 1 }
        for code in codes { findings[code, default: 0] += 1 }
        byModel[audit.model, default: Group()].add(codes)
        byEngine[audit.engine, default: Group()].add(codes)
        if let outcome = audit.k2vv { k2vv.add(outcome, reference: reference) }
    }

    /// Counts a line that is not a turn.
    public mutating func addBadRecord() {
        turns += 1
        turnsWithFindings += 1
        findings[FindingCode.badRecord.rawValue, default: 0] += 1
    }

    /// Adds another summary's counts.
    public mutating func merge(_ other: AuditSummary) {
        turns += other.turns
        turnsWithFindings += other.turnsWithFindings
        findings.merge(other.findings, uniquingKeysWith: +)
        byModel.merge(other.byModel) {
            var merged = $0; merged.merge($1); return merged
        }
        byEngine.merge(other.byEngine) {
            var merged = $0; merged.merge($1); return merged
        }
        k2vv.merge(other.k2vv)
    }

    enum CodingKeys: String, CodingKey {
        case turns, findings, k2vv
        case turnsWithFindings = "turns_with_findings"
        case byModel = "by_model"
        case byEngine = "by_engine"
    }

    /// A short table for people: the counts per code, then K2VV's metrics.
    public var table: String {
        var text = "audit: \(turns) turn\(turns == 1 ? "" : "s"), \(turnsWithFindings) with findings\n"
        for (code, count) in findings.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            text += "  \(String(repeating: " ", count: max(0, 8 - String(count).count)))\(count)  \(code)\n"
        }
        if k2vv.responses > 0 {
            text += "k2vv: \(k2vv.finishToolCalls) finish_reason tool_calls, \(k2vv.successfulToolCalls) valid"
            if let accuracy = k2vv.schemaAccuracy { text += ", schema_accuracy \(Self.percent(accuracy))" }
            if let reference = k2vv.reference, let f1 = reference.f1 { text += ", tool_call_f1 \(Self.percent(f1))" }
            text += "\n"
        }
        return text
    }

    private static func percent(_ rate: Double) -> String {
        let hundredths = Int((rate * 10000).rounded())
        return "\(hundredths / 100).\(String(format: "%02d", hundredths % 100))%"
    }
}

/// K2VV's counts over the responses (`tool_calls_eval.py`'s summary, and the README's metrics),
/// with its rates derived when written.
public struct K2VVCounts: Sendable, Codable, Equatable {
    /// Turns with a response.
    public var responses = 0
    public var successCount = 0
    public var failureCount = 0
    public var finishStop = 0
    /// `count_finish_reason_tool_calls`.
    public var finishToolCalls = 0
    public var finishOthers = 0
    public var finishOthersDetail: [String: Int] = [:]
    /// `count_successful_tool_call`.
    public var successfulToolCalls = 0
    public var schemaValidationErrors = 0
    /// The trigger counts against reference responses (`--reference`).
    public var reference: ReferenceCounts?

    /// The confusion counts of "finished with tool_calls" against the reference's responses.
    public struct ReferenceCounts: Sendable, Codable, Equatable {
        public var truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0
        /// Turns without a reference response to match.
        public var unmatched = 0

        public var precision: Double? { Self.rate(truePositives, truePositives + falsePositives) }
        public var recall: Double? { Self.rate(truePositives, truePositives + falseNegatives) }
        public var f1: Double? {
            guard let precision, let recall, precision + recall > 0 else { return nil }
            return 2 * precision * recall / (precision + recall)
        }

        static func rate(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

        mutating func merge(_ other: ReferenceCounts) {
            truePositives += other.truePositives
            falsePositives += other.falsePositives
            falseNegatives += other.falseNegatives
            trueNegatives += other.trueNegatives
            unmatched += other.unmatched
        }

        enum CodingKeys: String, CodingKey {
            case unmatched
            case truePositives = "tp", falsePositives = "fp", falseNegatives = "fn", trueNegatives = "tn"
            case precision = "tool_call_precision", recall = "tool_call_recall", f1 = "tool_call_f1"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            truePositives = try container.decode(Int.self, forKey: .truePositives)
            falsePositives = try container.decode(Int.self, forKey: .falsePositives)
            falseNegatives = try container.decode(Int.self, forKey: .falseNegatives)
            trueNegatives = try container.decode(Int.self, forKey: .trueNegatives)
            unmatched = try container.decode(Int.self, forKey: .unmatched)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(truePositives, forKey: .truePositives)
            try container.encode(falsePositives, forKey: .falsePositives)
            try container.encode(falseNegatives, forKey: .falseNegatives)
            try container.encode(trueNegatives, forKey: .trueNegatives)
            try container.encode(unmatched, forKey: .unmatched)
            try container.encode(precision, forKey: .precision)
            try container.encode(recall, forKey: .recall)
            try container.encode(f1, forKey: .f1)
        }
    }

    /// `schema_accuracy`: valid tool-call responses over those that finished with `tool_calls`.
    public var schemaAccuracy: Double? { ReferenceCounts.rate(successfulToolCalls, finishToolCalls) }

    public init() {}

    mutating func add(_ outcome: K2VVOutcome, reference answer: AuditSummary.ReferenceAnswer) {
        responses += 1
        if outcome.succeeded { successCount += 1 } else { failureCount += 1 }
        switch outcome.finishReason {
        case "stop"?: finishStop += 1
        case "tool_calls"?:
            finishToolCalls += 1
            if outcome.toolCallsValid == true { successfulToolCalls += 1 } else { schemaValidationErrors += 1 }
        case let other?:
            finishOthers += 1
            finishOthersDetail[other, default: 0] += 1
        case nil: break
        }
        var counts = reference ?? ReferenceCounts()
        let referenceCalled: Bool
        switch answer {
        case .notGiven: return
        case .missing:
            counts.unmatched += 1
            reference = counts
            return
        case let .finished(toolCalls): referenceCalled = toolCalls
        }
        let called = outcome.finishReason == "tool_calls"
        switch (called, referenceCalled) {
        case (true, true): counts.truePositives += 1
        case (true, false): counts.falsePositives += 1
        case (false, true): counts.falseNegatives += 1
        case (false, false): counts.trueNegatives += 1
        }
        reference = counts
    }

    mutating func merge(_ other: K2VVCounts) {
        responses += other.responses
        successCount += other.successCount
        failureCount += other.failureCount
        finishStop += other.finishStop
        finishToolCalls += other.finishToolCalls
        finishOthers += other.finishOthers
        finishOthersDetail.merge(other.finishOthersDetail, uniquingKeysWith: +)
        successfulToolCalls += other.successfulToolCalls
        schemaValidationErrors += other.schemaValidationErrors
        if let theirs = other.reference {
            var counts = reference ?? ReferenceCounts()
            counts.merge(theirs)
            reference = counts
        }
    }

    enum CodingKeys: String, CodingKey {
        case responses, reference
        case successCount = "success_count", failureCount = "failure_count"
        case finishStop = "finish_stop", finishToolCalls = "count_finish_reason_tool_calls", finishOthers = "finish_others"
        case finishOthersDetail = "finish_others_detail"
        case successfulToolCalls = "count_successful_tool_call"
        case schemaValidationErrors = "schema_validation_error_count"
        case schemaAccuracy = "schema_accuracy"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        responses = try container.decode(Int.self, forKey: .responses)
        successCount = try container.decode(Int.self, forKey: .successCount)
        failureCount = try container.decode(Int.self, forKey: .failureCount)
        finishStop = try container.decode(Int.self, forKey: .finishStop)
        finishToolCalls = try container.decode(Int.self, forKey: .finishToolCalls)
        finishOthers = try container.decode(Int.self, forKey: .finishOthers)
        finishOthersDetail = try container.decode([String: Int].self, forKey: .finishOthersDetail)
        successfulToolCalls = try container.decode(Int.self, forKey: .successfulToolCalls)
        schemaValidationErrors = try container.decode(Int.self, forKey: .schemaValidationErrors)
        reference = try container.decodeIfPresent(ReferenceCounts.self, forKey: .reference)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(responses, forKey: .responses)
        try container.encode(successCount, forKey: .successCount)
        try container.encode(failureCount, forKey: .failureCount)
        try container.encode(finishStop, forKey: .finishStop)
        try container.encode(finishToolCalls, forKey: .finishToolCalls)
        try container.encode(finishOthers, forKey: .finishOthers)
        try container.encode(finishOthersDetail, forKey: .finishOthersDetail)
        try container.encode(successfulToolCalls, forKey: .successfulToolCalls)
        try container.encode(schemaValidationErrors, forKey: .schemaValidationErrors)
        try container.encode(schemaAccuracy, forKey: .schemaAccuracy)
        try container.encodeIfPresent(reference, forKey: .reference)
    }
}
