import Crypto
import Foundation

/// The mergeable ranks of a tiktoken vocabulary: token bytes by rank, and rank by bytes.
public struct Vocabulary: Sendable {
    private let table: ByteStringTable
    /// The rank of every two-byte token, indexed by `first << 8 | second` (`UInt32.max`: none):
    /// most merges start from byte pairs, and this answers them without hashing.
    private let pairRanks: [UInt32]
    /// The length of the longest token: longer byte strings need no lookup.
    public let longestToken: Int
    /// The lowercase hex SHA-256 of the file it was read from.
    public let sha256: String
    /// The known vocabulary this file is, or `nil` for an unknown file.
    public let known: KnownVocabulary?

    /// The number of ranks.
    public var count: Int { table.count }

    /// Reads and verifies a `tiktoken.model` file.
    ///
    /// - Parameter strict: reject a file whose hash is not in ``KnownVocabulary/all``.
    public init(contentsOf path: String, strict: Bool = false) throws(VocabularyError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fileUnreadable(path: path, reason: Self.reason(error))
        }
        try self.init(data: [UInt8](data), path: path, strict: strict)
    }

    /// Parses and verifies the bytes of a `tiktoken.model` file; `path` names it in errors.
    public init(data: [UInt8], path: String, strict: Bool = false) throws(VocabularyError) {
        sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        known = KnownVocabulary.matching(sha256: sha256)
        if known == nil, strict { throw .unknownVocabulary(path: path, sha256: sha256) }
        let file = try TiktokenModelFile(data: data, path: path)
        if let known, known.rankCount != file.count {
            throw .rankCountMismatch(path: path, expected: known.rankCount, found: file.count, name: known.name)
        }
        switch ByteStringTable.build(bytes: file.bytes, offsets: file.offsets) {
        case let .success(table):
            self.table = table
        case let .failure(duplicate):
            throw .duplicateToken(path: path, line: file.lineOfRank[duplicate.repeatedValue],
                                  firstLine: file.lineOfRank[duplicate.firstValue])
        }
        pairRanks = Self.pairRanks(of: table)
        longestToken = zip(file.offsets, file.offsets.dropFirst()).map { Int($1 - $0) }.max() ?? 0
        for byte in UInt8.min...UInt8.max {
            guard withUnsafeBytes(of: byte, { table.value(of: $0.assumingMemoryBound(to: UInt8.self)) }) != nil else {
                throw .missingByte(path: path, byte: byte)
            }
        }
    }

    /// The rank of `bytes`, or `nil` if they are not one token.
    @inline(__always)
    public func rank(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        table.value(of: bytes)
    }

    private static func pairRanks(of table: ByteStringTable) -> [UInt32] {
        var ranks = [UInt32](repeating: .max, count: 1 << 16)
        var pair: [UInt8] = [0, 0]
        for index in 0..<(1 << 16) {
            pair[0] = UInt8(index >> 8)
            pair[1] = UInt8(index & 0xFF)
            if let rank = pair.withUnsafeBufferPointer({ table.value(of: $0) }) { ranks[index] = UInt32(rank) }
        }
        return ranks
    }

    /// The rank of the two-byte token `first, second`, if there is one.
    @inline(__always)
    func rank(ofPair first: UInt8, _ second: UInt8) -> Int? {
        let rank = pairRanks[Int(first) << 8 | Int(second)]
        return rank == .max ? nil : Int(rank)
    }

    /// The bytes of the token with `rank`, which must be in `0..<count`.
    public func bytes(ofRank rank: Int) -> ArraySlice<UInt8> {
        table.bytes(of: rank)
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
