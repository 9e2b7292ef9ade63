/// A vocabulary file that kimi-tok knows by its SHA-256.
public struct KnownVocabulary: Sendable, Equatable {
    /// A human name, e.g. "Kimi K2".
    public let name: String
    /// The lowercase hex SHA-256 of `tiktoken.model`.
    public let sha256: String
    /// The number of ranks in the file.
    public let rankCount: Int
    /// The file's size in bytes.
    public let byteCount: Int

    /// Every vocabulary kimi-tok has been verified against.
    public static let all: [KnownVocabulary] = [
        KnownVocabulary(
            name: "Kimi K2",
            sha256: "b6c497a7469b33ced9c38afb1ad6e47f03f5e5dc05f15930799210ec050c5103",
            rankCount: 163_584,
            byteCount: 2_795_286
        )
    ]

    /// The known vocabulary with this hash, if any.
    public static func matching(sha256: String) -> KnownVocabulary? {
        all.first { $0.sha256 == sha256 }
    }
}
