import Foundation
import KimiUnicode

/// The Kimi K2 tokenizer: byte-level BPE over the real vocabulary with the Kimi pre-tokenizer,
/// producing the token IDs of Moonshot's `tokenization_kimi.py` on tiktoken.
///
/// Immutable after loading and `Sendable`: load once and share between threads. (Its one
/// mutable part is a memo of merged pieces that every thread reads and fills without locks; it
/// changes how fast a piece is encoded, never its IDs.)
///
/// ```swift
/// let tokenizer = try KimiTokenizer.load(modelDirectory: "Vocab/kimi-k2")
/// let ids = try tokenizer.encode("Hello, Kimi", mode: .hf)
/// let text = try tokenizer.decode(ids)
/// ```
public struct KimiTokenizer: Sendable {
    /// The mergeable ranks.
    public let vocabulary: Vocabulary
    /// The special tokens, right after the last rank.
    public private(set) var specialTokens: SpecialTokens
    /// Problems that did not stop loading, such as an unknown vocabulary hash.
    public let warnings: [String]
    /// The model directory's `tokenizer_config.json`, as read when loading.
    public let config: TokenizerConfig
    /// The engine running the pre-tokenizer pattern.
    public var preTokenizerEngine: PreTokenizer.Engine { preTokenizer.engine }
    private var preTokenizer: PreTokenizer
    private var encoder: BytePairEncoder
    private let chunker: HFChunker
    /// Whether `hf` mode cuts text into chunks first (the Hugging Face tokenizer class does;
    /// llama.cpp does not).
    private var chunksText = true

    /// Loads `tiktoken.model` and `tokenizer_config.json` from a model directory.
    ///
    /// - Parameters:
    ///   - strict: reject a vocabulary whose hash is not known (otherwise a warning).
    ///   - cache: where the parsed vocabulary is kept between processes.
    public static func load(
        modelDirectory: String, strict: Bool = false,
        preTokenizer engine: PreTokenizer.Engine = .scanner,
        cache: VocabularyCache = .standard()
    ) throws -> KimiTokenizer {
        let directory = ModelDirectory(path: modelDirectory, source: .option)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw VocabularyError.directoryMissing(path: modelDirectory, source: "the caller")
        }
        return try load(directory, strict: strict, preTokenizer: engine, cache: cache)
    }

    /// Loads the tokenizer from a resolved ``ModelDirectory``.
    ///
    /// - Parameters:
    ///   - preTokenizer: the engine that runs the Kimi pattern; both give the same IDs.
    ///   - cache: where the parsed vocabulary is kept between processes.
    public static func load(
        _ directory: ModelDirectory, strict: Bool = false,
        preTokenizer engine: PreTokenizer.Engine = .scanner,
        cache: VocabularyCache = .standard()
    ) throws -> KimiTokenizer {
        let vocabulary = try Vocabulary(contentsOf: directory.tiktokenModelPath, strict: strict, cache: cache)
        let config = try TokenizerConfig(contentsOf: directory.tokenizerConfigPath)
        let specialTokens = try SpecialTokens(
            firstID: vocabulary.count, addedTokens: config.addedTokens,
            configPath: config.path)
        var warnings: [String] = []
        if vocabulary.known == nil {
            warnings.append(
                "\(directory.tiktokenModelPath): unknown vocabulary (sha256 \(vocabulary.sha256)); token IDs are not verified against a known Kimi vocabulary")
        }
        return KimiTokenizer(
            vocabulary: vocabulary, specialTokens: specialTokens, config: config, warnings: warnings,
            preTokenizer: try PreTokenizer.kimi(engine: engine))
    }

    private init(
        vocabulary: Vocabulary, specialTokens: SpecialTokens, config: TokenizerConfig, warnings: [String],
        preTokenizer: PreTokenizer
    ) {
        self.vocabulary = vocabulary
        self.specialTokens = specialTokens
        self.config = config
        self.warnings = warnings
        self.preTokenizer = preTokenizer
        encoder = BytePairEncoder(vocabulary: vocabulary)
        chunker = HFChunker(
            flags: UnicodeClassTable.kimiFlags,
            spaces: UnicodeClassTable.kimi.ranges { $0.contains(.pythonSpace) })
    }

    /// The number of token IDs: ranks plus special tokens (163,842 for Kimi K2).
    public var tokenCount: Int { specialTokens.ids.upperBound }

    /// The tokenizer llama.cpp builds from a Kimi GGUF: its own pre-tokenizer
    /// (``PreTokenizer/llamaCppKimiK2()``), a vocabulary that ends at the model's embedding
    /// size (ranks + 256: K2's two extra reserved tokens are text to it), no Hugging Face
    /// chunking (`hf` mode is `tiktoken` mode), and the same byte-pair merges.
    public func llamaCpp() -> KimiTokenizer {
        var tokenizer = self
        tokenizer.specialTokens = specialTokens.ending(at: vocabulary.count + SpecialTokens.k3SlotCount)
        tokenizer.preTokenizer = .llamaCppKimiK2()
        tokenizer.chunksText = false
        return tokenizer
    }

    /// The pieces this tokenizer's pre-tokenizer cuts `text` into (special-token names are
    /// text here).
    public func preTokens(of text: String) throws -> [String] { try preTokenizer.pieces(of: text) }

    // MARK: Encoding

    /// The token IDs of `text`.
    public func encode(_ text: String, mode: EncodeMode = .hf) throws -> [Int] {
        var text = text
        return try text.withUTF8 { try encode(utf8: $0, mode: mode) }
    }

    /// The token IDs of valid UTF-8 bytes (see ``UTF8Input`` to check bytes first).
    ///
    /// The array is allocated once, with room for one ID per input byte (the most any text
    /// can have) up to 4,194,304, so its capacity usually exceeds its count; the pages it
    /// never writes are never touched.
    public func encode(utf8: UnsafeBufferPointer<UInt8>, mode: EncodeMode = .hf) throws(PreTokenizerError) -> [Int] {
        let cache = PieceCache(textBytes: utf8.count)
        return try TokenIDBuffer.withIDs(inputBytes: utf8.count) { (output) throws(PreTokenizerError) in
            try PendingPieces.withScratch { (pending) throws(PreTokenizerError) in
                switch mode {
                case .ordinary:
                    try encodeOrdinary(utf8, 0..<utf8.count, into: &output, cache: cache, pending: pending)
                case .tiktoken:
                    try encodeAllowingSpecial(utf8, 0..<utf8.count, into: &output, cache: cache, pending: pending)
                case .hf where !chunksText:
                    try encodeAllowingSpecial(utf8, 0..<utf8.count, into: &output, cache: cache, pending: pending)
                case .hf:
                    try chunker.forEachChunk(in: utf8) { (chunk) throws(PreTokenizerError) in
                        try encodeAllowingSpecial(utf8, chunk, into: &output, cache: cache, pending: pending)
                    }
                }
            }
        }
    }

    /// The token IDs of a prompt built as segments, each encoded on its own as the tokenizer
    /// class of Kimi K3 encodes them: cut like `hf` mode (400,000-character chunks, runs of at
    /// most 25,000), a control segment with special tokens allowed, a text segment with
    /// special-token strings as ordinary text. The IDs of the segments, in order.
    public func encode(segments: [PromptSegment]) throws -> [Int] {
        var ids: [Int] = []
        for segment in segments {
            var text = segment.text
            ids += try text.withUTF8 { (utf8) throws(PreTokenizerError) -> [Int] in
                let cache = PieceCache(textBytes: utf8.count)
                return try TokenIDBuffer.withIDs(inputBytes: utf8.count) { (output) throws(PreTokenizerError) in
                    try PendingPieces.withScratch { (pending) throws(PreTokenizerError) in
                        try chunker.forEachChunk(in: utf8) { (chunk) throws(PreTokenizerError) in
                            if segment.special {
                                try encodeAllowingSpecial(utf8, chunk, into: &output, cache: cache, pending: pending)
                            } else {
                                try encodeOrdinary(utf8, chunk, into: &output, cache: cache, pending: pending)
                            }
                        }
                    }
                }
            }
        }
        return ids
    }

    /// Encodes the pieces of `utf8[range]`. With the hand-written pre-tokenizer, a piece whose
    /// lookup must go to the shared cache is encoded a few pieces after it is found, its load
    /// started when it was found, and the pieces after it queue behind it (see
    /// ``PendingPieces``); the others are encoded as they are found. The loop steps the scanner
    /// itself, as a per-piece closure with the queue in it was too large to be inlined into the
    /// scanner's loop.
    private func encodeOrdinary(
        _ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        into output: inout TokenIDBuffer, cache: PieceCache?, pending: PendingPieces
    ) throws(PreTokenizerError) {
        guard let base = utf8.baseAddress, !range.isEmpty else { return }
        let segment = UnsafeBufferPointer(rebasing: utf8[range])
        let start = segment.baseAddress.unsafelyUnwrapped
        // A local, so the closure does not copy the encoder for every piece.
        let encoder = encoder
        // Lookups may read on to the end of `utf8`, past the segment.
        let readableEnd = base + utf8.count
        guard let scanner = preTokenizer.kimiScanner else {
            return try encodeEachPiece(segment, readableEnd: readableEnd, into: &output, cache: cache)
        }
        pending.reset()
        scanner.withFlags { flags in
            var position = 0
            while position < segment.count {
                let end = KimiScanner.pieceEnd(in: segment, at: position, flags)
                let piece = UnsafeBufferPointer(start: start + position, count: end - position)
                position = end
                // (A piece of up to eight bytes is not asked for: mostly one token, it is
                // looked up in the rank table at once, and shorter merges skip the shared table.)
                let awaited = piece.count > 8 && encoder.prefetch(piece, cache: cache)
                if !awaited, pending.isEmpty {
                    encoder.encode(piece, readableEnd: readableEnd, into: &output, cache: cache)
                    continue
                }
                if pending.isFull {
                    let oldest = pending.pop()
                    encoder.encode(
                        UnsafeBufferPointer(start: start + oldest.start, count: oldest.count), readableEnd: readableEnd,
                        into: &output, cache: cache)
                }
                pending.push(piece.baseAddress.unsafelyUnwrapped - start..<end, awaited: awaited)
                // Once no queued piece waits for a load, the queue is emptied, and pieces are
                // encoded as they are found until one does.
                if !pending.awaitsLoad { encodeQueued(pending, in: segment, readableEnd: readableEnd, into: &output, cache: cache) }
            }
        }
        encodeQueued(pending, in: segment, readableEnd: readableEnd, into: &output, cache: cache)
    }

    /// Encodes the pieces left in `pending`, of `segment`. Out of line, as is
    /// ``encodeEachPiece(_:readableEnd:into:cache:)``: with more copies of the encoder's inlined
    /// path in it, ``encodeOrdinary(_:_:into:cache:pending:)`` grew past what the compiler inlines
    /// into, and the scanner's word matcher became a call.
    @inline(never)
    private func encodeQueued(
        _ pending: PendingPieces, in segment: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        let start = segment.baseAddress.unsafelyUnwrapped
        while !pending.isEmpty {
            let oldest = pending.pop()
            encoder.encode(
                UnsafeBufferPointer(start: start + oldest.start, count: oldest.count), readableEnd: readableEnd, into: &output,
                cache: cache)
        }
    }

    /// Encodes the pieces of `segment` one by one as the pre-tokenizer finds them (PCRE2,
    /// llama.cpp's splitter).
    @inline(never)
    private func encodeEachPiece(
        _ segment: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>, into output: inout TokenIDBuffer,
        cache: PieceCache?
    ) throws(PreTokenizerError) {
        let encoder = encoder
        try preTokenizer.forEachPiece(in: segment) { piece in
            encoder.encode(UnsafeBufferPointer(rebasing: segment[piece]), readableEnd: readableEnd, into: &output, cache: cache)
        }
    }

    /// tiktoken's `encode` with every special token allowed: special-token strings are cut out
    /// first, and the text between them is split and merged on its own.
    private func encodeAllowingSpecial(
        _ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        into output: inout TokenIDBuffer, cache: PieceCache?, pending: PendingPieces
    ) throws(PreTokenizerError) {
        let segment = UnsafeBufferPointer(rebasing: utf8[range])
        var start = 0
        var specials = specialTokens.scan(segment)
        while let special = specials.next() {
            try encodeOrdinary(segment, start..<special.range.lowerBound, into: &output, cache: cache, pending: pending)
            output.append(special.id)
            start = special.range.upperBound
        }
        try encodeOrdinary(segment, start..<segment.count, into: &output, cache: cache, pending: pending)
    }

    // MARK: Decoding

    /// The bytes of one token.
    public func tokenBytes(_ id: Int) throws(TokenIDError) -> [UInt8] {
        try checked(id, at: 0)
    }

    /// The bytes of each token, in order.
    public func tokenBytes(_ ids: [Int]) throws(TokenIDError) -> [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() { result.append(try checked(id, at: position)) }
        return result
    }

    /// The concatenated bytes of `ids`.
    public func decodeBytes(_ ids: [Int]) throws(TokenIDError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(ids.count * 4)
        for (position, id) in ids.enumerated() where !appendTokenBytes(id, to: &result) {
            throw TokenIDError(position: position, id: id, tokenCount: tokenCount)
        }
        return result
    }

    /// Appends the bytes of token `id` to `output`; `false` (and nothing appended) when the
    /// vocabulary has no such token.
    @discardableResult
    public func appendTokenBytes(_ id: Int, to output: inout [UInt8]) -> Bool {
        if id >= 0, id < vocabulary.count {
            vocabulary.appendBytes(ofRank: id, to: &output)
            return true
        }
        guard let name = specialTokens.name(of: id) else { return false }
        output.append(contentsOf: name.utf8)
        return true
    }

    /// The text of `ids`; bytes that are not valid UTF-8 (a token ending inside a character)
    /// become U+FFFD, as tiktoken's `decode` does.
    public func decode(_ ids: [Int]) throws(TokenIDError) -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }

    /// Whether `id` is a special token.
    public func isSpecial(_ id: Int) -> Bool { specialTokens.ids.contains(id) }

    private func checked(_ id: Int, at position: Int) throws(TokenIDError) -> [UInt8] {
        if id >= 0, id < vocabulary.count { return Array(vocabulary.bytes(ofRank: id)) }
        if let name = specialTokens.name(of: id) { return Array(name.utf8) }
        throw TokenIDError(position: position, id: id, tokenCount: tokenCount)
    }
}

// MARK: Merge strategies, for tests

extension KimiTokenizer {
    /// The byte-pair merges the encoder chooses between by piece length; all give the same IDs.
    @_spi(Testing) public enum MergeStrategy: Sendable, CaseIterable {
        /// tiktoken's scan over the parts for the lowest pair (quadratic; short pieces).
        case scan
        /// A min-heap of adjacent pairs (O(n log n); the reference for the others).
        case heap
        /// Longest tokens first with backtracking over the token trie (linear; longer pieces).
        case backtracking
    }

    /// The byte ranges `hf` mode encodes one by one: `TikTokenTokenizer.encode`'s chunks of
    /// `utf8` (valid UTF-8).
    @_spi(Testing) public func hfChunks(of utf8: [UInt8]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        utf8.withUnsafeBufferPointer { utf8 in
            chunker.forEachChunk(in: utf8) { chunks.append($0) }
        }
        return chunks
    }

    /// This tokenizer with shared piece caches of its own (the table of words and that of long
    /// runs) of `slots` slots each (rounded up to a power of two), so that a test can make pieces
    /// replace one another in them all the time.
    @_spi(Testing) public func withSharedPieceCache(slots: Int) -> KimiTokenizer {
        var copy = self
        copy.encoder = encoder.withSharedCache(slots: 1 << (Int.bitWidth - (max(1, slots) - 1).leadingZeroBitCount))
        return copy
    }

    /// The most IDs an encode call writes straight into the array it returns before moving
    /// them to a buffer that grows.
    @_spi(Testing) public static var directIDLimit: Int { TokenIDBuffer.directLimit }

    /// Where the encoder cuts `piece` (any bytes) before merging its parts one by one, or `nil`
    /// when the vocabulary does not allow cuts.
    @_spi(Testing) public func cutPositions(in piece: [UInt8]) -> [Int]? {
        guard let cuts = vocabulary.cuts else { return nil }
        return piece.withUnsafeBufferPointer { piece in
            var positions = cuts.positions(in: piece)
            var found: [Int] = []
            while let cut = positions.next() { found.append(cut) }
            return found
        }
    }

    /// The IDs of each of `pieces` merged by backtracking, one memo of valid pairs shared by
    /// them all, as small as an encode call's can be (so that pairs also replace one another);
    /// `nil` as for ``merge(_:by:)``.
    @_spi(Testing) public func mergeRememberingPairs(_ pieces: [[UInt8]]) -> [[Int]]? {
        guard let tables = vocabulary.backtracking else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: ValidPairMemo.entryCount(textBytes: 0)) { entries in
            let memo = ValidPairMemo(entries: entries)
            var merged: [[Int]] = []
            for piece in pieces where !piece.isEmpty {
                var finished = true
                let ids = piece.withUnsafeBufferPointer { piece in
                    TokenIDBuffer.withIDs(inputBytes: piece.count) { ids in finished = tables.merge(piece, into: &ids, memo: memo) }
                }
                guard finished else { return nil }
                merged.append(ids)
            }
            return merged
        }
    }

    /// Whether the backtracking merge treats `scalar` as a character no token boundary can fall
    /// inside, or `nil` when the vocabulary has no backtracking tables.
    @_spi(Testing) public func isSplitFree(_ scalar: Unicode.Scalar) -> Bool? {
        vocabulary.backtracking?.isSplitFree(scalar)
    }

    /// The IDs of `piece` merged by `strategy` alone, with no pre-tokenization and no cache, or
    /// `nil` for backtracking when the vocabulary has no backtracking tables or the search does
    /// not finish (which the encoder would answer with the heap merge).
    @_spi(Testing) public func merge(_ piece: [UInt8], by strategy: MergeStrategy) -> [Int]? {
        var finished = true
        let ids = piece.withUnsafeBufferPointer { piece in
            TokenIDBuffer.withIDs(inputBytes: piece.count) { ids in
                guard !piece.isEmpty else { return }
                switch strategy {
                case .scan:
                    encoder.mergeByScan(piece, into: &ids)
                case .heap:
                    encoder.mergeByHeap(piece, into: &ids)
                case .backtracking:
                    guard let tables = vocabulary.backtracking else { finished = false; return }
                    finished = tables.merge(piece, into: &ids)
                }
            }
        }
        return finished ? ids : nil
    }
}
