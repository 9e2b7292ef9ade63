import KimiIO

/// Why a model directory could not be loaded. Every case names the file, and the line
/// where one applies.
public enum VocabularyError: ClassifiedError, Equatable {
    /// The model directory does not exist or is not a directory.
    case directoryMissing(path: String, source: String)
    /// A required file is missing or unreadable.
    case fileUnreadable(path: String, reason: String)
    /// A line of `tiktoken.model` is not `BASE64 RANK`.
    case malformedLine(path: String, line: Int, reason: String)
    /// Two lines of `tiktoken.model` hold the same token bytes.
    case duplicateToken(path: String, line: Int, firstLine: Int)
    /// Two lines of `tiktoken.model` give the same rank.
    case duplicateRank(path: String, line: Int, rank: Int, firstLine: Int)
    /// The ranks are not exactly `0..<count`.
    case missingRank(path: String, rank: Int, count: Int)
    /// The file ends in the middle of a line (it was cut short), and that line does not read.
    case truncatedFile(path: String, line: Int, problem: String)
    /// A single byte has no rank, so some text could not be encoded.
    case missingByte(path: String, byte: UInt8)
    /// The file's hash is known, but its rank count is not the known one (a truncated file).
    case rankCountMismatch(path: String, expected: Int, found: Int, name: String)
    /// The file is not a known vocabulary and strict loading was asked for.
    case unknownVocabulary(path: String, sha256: String)
    /// `tokenizer_config.json` is not valid JSON or lacks what the tokenizer needs.
    case invalidConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case let .directoryMissing(path, source):
            "model directory \(path) (from \(source)) does not exist or is not a directory"
        case let .fileUnreadable(path, reason):
            "cannot read \(path): \(reason)"
        case let .malformedLine(path, line, reason):
            "\(path):\(line): malformed vocabulary line: \(reason)"
        case let .duplicateToken(path, line, firstLine):
            "\(path):\(line): duplicate token: the same bytes as line \(firstLine)"
        case let .duplicateRank(path, line, rank, firstLine):
            "\(path):\(line): duplicate rank \(rank), first given on line \(firstLine)"
        case let .missingRank(path, rank, count):
            "\(path): rank \(rank) is missing; ranks must be exactly 0..<\(count)"
        case let .truncatedFile(path, line, problem):
            "\(path):\(line): the file is truncated: it ends in the middle of line \(line) with no line break (\(problem)); copy or download it again"
        case let .missingByte(path, byte):
            "\(path): the single byte 0x\(String(byte, radix: 16, uppercase: true)) has no rank"
        case let .rankCountMismatch(path, expected, found, name):
            "\(path): \(found) ranks, but the \(name) vocabulary has \(expected) (truncated or edited file?)"
        case let .unknownVocabulary(path, sha256):
            "\(path): unknown vocabulary (sha256 \(sha256)); refusing it in strict mode"
        case let .invalidConfig(path, reason):
            "\(path): \(reason)"
        }
    }
}

extension VocabularyError {
    /// Input the tokenizer cannot use.
    public var errorKind: KimiError.Kind { .badInput }
}
