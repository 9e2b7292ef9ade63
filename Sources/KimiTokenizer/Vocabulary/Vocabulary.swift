import Foundation

/// The mergeable ranks of a tiktoken vocabulary: token bytes by rank, and rank by bytes.
public struct Vocabulary: Sendable {
    private let image: VocabularyImage
    private let table: ByteStringTable
    /// The length of the longest token: longer byte strings need no lookup.
    public var longestToken: Int { image.longestToken }
    /// The tables of the backtracking merge, when the vocabulary fits them.
    var backtracking: BacktrackingTables? { image.backtracking }
    /// Where pieces can be cut without changing their encoding, when the vocabulary allows it.
    var cuts: PieceCuts? { image.cuts }
    /// Whether the encoder cuts pieces of three-byte characters before merging (see
    /// ``KimiTokenizer/cutPositions(in:)``).
    @_spi(Testing) public var cutsPieces: Bool { cuts != nil }
    /// The lowercase hex SHA-256 of the file it was read from.
    public let sha256: String
    /// The known vocabulary this file is, or `nil` for an unknown file.
    public let known: KnownVocabulary?
    /// Whether the parsed tables came from a ``VocabularyCache`` file rather than a parse.
    public let loadedFromCache: Bool

    /// The number of ranks.
    public var count: Int { table.count }

    /// Reads and verifies a `tiktoken.model` file, through `cache` when it holds this file.
    ///
    /// - Parameter strict: reject a file whose hash is not in ``KnownVocabulary/all``.
    public init(contentsOf path: String, strict: Bool = false, cache: VocabularyCache = .standard()) throws(VocabularyError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fileUnreadable(path: path, reason: Self.reason(error))
        }
        try self.init(data: [UInt8](data), path: path, strict: strict, cache: cache)
    }

    /// Parses and verifies the bytes of a `tiktoken.model` file; `path` names it in errors.
    public init(data: [UInt8], path: String, strict: Bool = false, cache: VocabularyCache = .disabled) throws(VocabularyError) {
        let digest = SHA256Digest(of: data)
        sha256 = digest.hex
        known = KnownVocabulary.matching(sha256: sha256)
        if known == nil, strict { throw .unknownVocabulary(path: path, sha256: sha256) }
        if let cached = cache.image(forSHA256: digest, hex: sha256) {
            image = cached
            loadedFromCache = true
        } else {
            let file = try TiktokenModelFile(data: data, path: path)
            switch VocabularyImage.build(file: file, sourceSHA256: digest) {
            case let .success(built):
                image = built
            case let .failure(duplicate):
                throw .duplicateToken(
                    path: path, line: file.lineOfRank[duplicate.repeatedValue],
                    firstLine: file.lineOfRank[duplicate.firstValue])
            }
            loadedFromCache = false
        }
        table = image.table
        if let known, known.rankCount != table.count {
            throw .rankCountMismatch(path: path, expected: known.rankCount, found: table.count, name: known.name)
        }
        for byte in UInt8.min...UInt8.max {
            guard withUnsafeBytes(of: byte, { table.value(of: $0.assumingMemoryBound(to: UInt8.self)) }) != nil else {
                throw .missingByte(path: path, byte: byte)
            }
        }
        if !loadedFromCache { cache.store(image, hex: sha256) }
    }

    /// The rank of `bytes`, or `nil` if they are not one token.
    @inline(__always)
    public func rank(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        table.value(of: bytes)
    }

    /// The rank of the token of the first `length` bytes at `base`, 1 to 8, if there is one:
    /// one word load, masked to the length. Eight bytes from `base` must be readable.
    @inline(__always)
    func rank(ofFirst length: Int, bytesAt base: UnsafeRawPointer) -> Int? {
        rank(ofWord: Self.word(ofFirst: length, bytesAt: base), length: length)
    }

    /// The rank of the token whose `length` bytes (1 to 8) are the low bytes of the
    /// little-endian `word`, zero above them, if there is one.
    @inline(__always)
    func rank(ofWord word: UInt64, length: Int) -> Int? {
        table.value(ofWord: word, length: length)
    }

    /// Starts loading what ``rank(ofWord:length:)`` will read for the same arguments.
    @inline(__always)
    func prefetchRank(ofWord word: UInt64, length: Int) {
        table.prefetch(word: word, length: length)
    }

    /// Starts loading what ``rank(ofFirst:bytesAt:)`` will read for the same arguments.
    @inline(__always)
    func prefetchRank(ofFirst length: Int, bytesAt base: UnsafeRawPointer) {
        prefetchRank(ofWord: Self.word(ofFirst: length, bytesAt: base), length: length)
    }

    /// The first `length` bytes (1 to 8) at `base` as a little-endian word, zero above them.
    @inline(__always)
    private static func word(ofFirst length: Int, bytesAt base: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)) & ~0 >> UInt64(64 - 8 * length)
    }

    /// The rank of the two-byte token `first, second`, if there is one.
    @inline(__always)
    func rank(ofPair first: UInt8, _ second: UInt8) -> Int? {
        let rank = image.pairRanks[Int(first) << 8 | Int(second)]
        return rank == .max ? nil : Int(rank)
    }

    /// The bytes of the token with `rank`, which must be in `0..<count`.
    public func bytes(ofRank rank: Int) -> ArraySlice<UInt8> {
        table.bytes(of: rank)
    }

    /// Appends the bytes of the token with `rank` (in `0..<count`) to `output`.
    public func appendBytes(ofRank rank: Int, to output: inout [UInt8]) {
        table.append(rank, to: &output)
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
