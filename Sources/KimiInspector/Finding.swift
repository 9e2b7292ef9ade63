/// One problem (or note) found in a prompt or token stream.
public struct Finding: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    }

    /// A stable identifier, e.g. `missing-generation-prompt`.
    public let code: FindingCode
    /// The index of the request message the finding is about, when it comes from one.
    public let messageIndex: Int?
    public let severity: Severity
    /// The index of the first token concerned, if the finding is about a place in the stream.
    public let tokenIndex: Int?
    /// The offset in characters (Unicode scalars) of the decoded text, if any.
    public let characterOffset: Int?
    /// One line: what is wrong.
    public let message: String
    /// One line: how to fix it.
    public let fix: String

    public init(
        code: FindingCode, severity: Severity, tokenIndex: Int? = nil, characterOffset: Int? = nil,
        messageIndex: Int? = nil, message: String, fix: String
    ) {
        self.code = code
        self.messageIndex = messageIndex
        self.severity = severity
        self.tokenIndex = tokenIndex
        self.characterOffset = characterOffset
        self.message = message
        self.fix = fix
    }

    /// `severity: code at token N (character C): message`, then the fix on its own line.
    public var description: String {
        let place = tokenIndex.map { " at token \($0)" + (characterOffset.map { " (character \($0))" } ?? "") } ?? ""
        return "\(severity.rawValue): \(code)\(place): \(message)\n    fix: \(fix)"
    }

    enum CodingKeys: String, CodingKey {
        case code, severity, message, fix
        case tokenIndex = "token_index"
        case characterOffset = "character_offset"
        case messageIndex = "message_index"
    }

    /// Absent positions are written as `null`, so every finding has the same keys.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(severity, forKey: .severity)
        try container.encode(tokenIndex, forKey: .tokenIndex)
        try container.encode(characterOffset, forKey: .characterOffset)
        try container.encode(messageIndex, forKey: .messageIndex)
        try container.encode(message, forKey: .message)
        try container.encode(fix, forKey: .fix)
    }
}
