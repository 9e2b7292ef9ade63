/// Byte-pair encoding of one pre-tokenized piece, with tiktoken's merge order: repeatedly merge
/// the adjacent pair whose concatenation has the lowest rank, the leftmost one on ties.
///
/// Short pieces use tiktoken's own scan over the parts for the lowest pair. Longer pieces,
/// where that scan is quadratic, are encoded by backtracking over the vocabulary's token trie
/// (linear, see ``BacktrackingTables``). The heap merge, ordered by (rank, position) over a
/// linked list of parts in O(n log n), serves vocabularies too large for the backtracking
/// tables or with a token that merging never makes, and is the reference the backtracking
/// encoder is tested against.
///
/// Pieces of CJK, kana or Hangul are first cut where no token spans a boundary (see
/// ``PieceCuts``), and the parts, mostly words of one to four characters, encoded one by one.
struct BytePairEncoder: Sendable {
    let vocabulary: Vocabulary
    /// Read once here: per piece, the vocabulary's computed properties would copy them.
    private let longestToken: Int
    private let backtracking: BacktrackingTables?
    private let cuts: PieceCuts?
    /// Whether every token is what its own bytes merge to (the cut tables are built only
    /// then). Only then may the backtracking merge be used, as it takes the longest token
    /// wherever it fits, and only then may a piece skip the whole-token lookup (tiktoken looks
    /// every piece up first), as a piece that is one token comes out of the merge whole.
    private let mergesMakeEveryToken: Bool
    /// Merged pieces kept across calls and threads (see ``SharedPieceCache``): words, and
    /// whole Han runs of 12 to 24 bytes (see ``wholeRunTable(_:)``).
    private var shared = SharedPieceCache(shape: .short)
    /// Whole kana, CJK and Hangul runs of 25 to 56 bytes kept across calls and threads.
    private var sharedLong = SharedPieceCache(shape: .long)

    init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        longestToken = vocabulary.longestToken
        cuts = vocabulary.cuts
        mergesMakeEveryToken = vocabulary.cuts != nil
        backtracking = mergesMakeEveryToken ? vocabulary.backtracking : nil
    }

    /// This encoder with shared caches of its own, of `slots` slots each (a power of two).
    func withSharedCache(slots: Int) -> BytePairEncoder {
        var copy = self
        copy.shared = SharedPieceCache(shape: .short, slotCount: slots)
        copy.sharedLong = SharedPieceCache(shape: .long, slotCount: slots)
        return copy
    }

    /// Pieces at least this long are encoded by backtracking, whatever they end in (mostly
    /// ASCII: pieces ending in a two- or three-byte character go sooner). Shorter pieces merge
    /// by the scan, whose lookups are prefetched, instead of waiting on trie steps one after
    /// another (the measurements behind the value are in docs/performance.md).
    static let backtrackingThreshold = 16

    /// Whether `piece` (not one token) is merged by backtracking rather than by the scan: from
    /// ``backtrackingThreshold`` bytes, and sooner when it ends in a character of three bytes
    /// (from 6: two CJK, kana or Hangul characters) or of two (from 8: four Cyrillic or Arabic
    /// letters), where the scan's quadratic work on multi-byte characters costs more than the
    /// trie walk; ASCII pieces stay with the scan, whose tables stay in cache.
    @inline(__always)
    static func prefersBacktracking(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = piece.count
        if count >= backtrackingThreshold { return true }
        if count >= 6, piece[count - 3] & 0xF0 == 0xE0 { return true }
        return count >= 8 && piece[count - 2] & 0xE0 == 0xC0
    }

    /// Pieces at least this long that end in a kana or CJK character skip the lookups (see
    /// ``skipsLookups(_:)``): four characters.
    static let lookupSkipThreshold = 12

    /// Whether `piece` skips the whole-token lookup and the call's piece cache (only the shared
    /// cache, which holds what earlier calls merged, is asked before the backtracking merge):
    /// from 12 bytes when it ends in a character led by E3 to E9 (kana, CJK punctuation,
    /// ideographs). Such runs are rarely one token or seen twice in a call, and the two lookups
    /// would miss the cache for nothing. Hangul (EA to ED) keeps them: Korean words
    /// recur, so the piece cache pays for itself there.
    @inline(__always)
    static func skipsLookups(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.count >= lookupSkipThreshold && (0xE3...0xE9).contains(piece[piece.count - 3])
    }

    /// Pieces at least this long that end in a three-byte character are cut where no token
    /// spans a boundary: from two characters (6 bytes), the shortest piece that has a boundary.
    static let cutThreshold = 6

    /// Appends the ranks of `piece` to `output`, through `cache` when there is one. The memory
    /// from the piece up to `readableEnd` may be read.
    ///
    /// Inlined into the pre-tokenizer's loop for the common case, a piece of up to eight bytes
    /// that is one token (most pieces of natural text and code): one word load and one slot,
    /// with no call. Such a piece is never cut, as a token spans every boundary inside it.
    @inline(__always)
    func encode(
        _ piece: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>, into output: inout TokenIDBuffer,
        cache: PieceCache?
    ) {
        let short = Self.isShort(piece, readableEnd: readableEnd)
        if short, let rank = vocabulary.rank(ofFirst: piece.count, bytesAt: piece.baseAddress.unsafelyUnwrapped) {
            output.append(rank)
        } else {
            encodeOther(piece, isShortNonToken: short, readableEnd: readableEnd, into: &output, cache: cache)
        }
    }

    /// Starts loading the shared cache's slot where `piece` (over eight bytes) will be looked
    /// up, without waiting for it, and returns true; false when its lookup will not go there
    /// first (a CJK, kana or Hangul run that ``wholeRunTable(_:)`` does not keep, cut and
    /// looked up part by part), or the call's `cache`, whose tags stay in the core's cache,
    /// looks likely to answer first. The encode loop asks this for a few pieces ahead of the one
    /// it encodes, so that their loads overlap. Out of line, so that the loop stays small enough
    /// for the scanner's matchers to stay inlined in it.
    @inline(never)
    func prefetch(_ piece: UnsafeBufferPointer<UInt8>, cache: PieceCache?) -> Bool {
        let count = piece.count
        if cuts != nil, piece[count - 3] & 0xF0 == 0xE0 {
            guard let table = wholeRunTable(piece) else { return false }
            table.prefetch(hash: Self.sharedHash(of: piece, in: table))
            return true
        }
        guard count <= shared.shape.maxPieceBytes else { return false }
        let hash = PieceCache.hash(of: piece)
        if let cache, cache.mayHold(cache.slot(hash: hash)) { return false }
        shared.prefetch(hash: hash)
        return true
    }

    /// ``encode(_:readableEnd:into:cache:)`` for every piece but a short token; out of line, so
    /// that the loop that calls it stays small. `isShortNonToken` says the piece is known not to
    /// be one token.
    @inline(never)
    private func encodeOther(
        _ piece: UnsafeBufferPointer<UInt8>, isShortNonToken: Bool, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        let count = piece.count
        if count >= Self.cutThreshold, piece[count - 3] & 0xF0 == 0xE0, let cuts {
            if let table = wholeRunTable(piece) {
                encodeCuttingSharing(piece, table: table, cuts: cuts, readableEnd: readableEnd, into: &output, cache: cache)
            } else {
                encodeCutting(piece, cuts: cuts, readableEnd: readableEnd, into: &output, cache: cache)
            }
        } else {
            let lookingUpWhole = !isShortNonToken && !(mergesMakeEveryToken && Self.isRarelyOneToken(piece))
            encodeWhole(piece, lookingUpWhole: lookingUpWhole, readableEnd: readableEnd, into: &output, cache: cache)
        }
    }

    /// Whether `piece` is a word of over eight bytes ending in a two-byte letter (Cyrillic,
    /// Arabic, Greek), which is seldom one token. Such a piece skips the whole-token lookup;
    /// one that is a token comes out of the piece cache or the merge whole all the same.
    @inline(__always)
    private static func isRarelyOneToken(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.count > 8 && piece[piece.count - 2] & 0xE0 == 0xC0
    }

    /// The shared table that keeps the IDs of `piece`, a run ending in a three-byte character,
    /// whole, if any: kana, CJK and Hangul runs of 25 to 56 bytes in the table of long slots
    /// (9 to 18 characters), and Han runs of 12 to 24 bytes (4 to 8 ideographs) in the table of
    /// words. Such runs are cut into several parts, and Han parts often need merges; shorter runs, and
    /// kana or Hangul words, are cut into a few parts that are mostly one token each, found in
    /// the trie faster than a lookup out of the core's cache.
    @inline(__always)
    private func wholeRunTable(_ piece: UnsafeBufferPointer<UInt8>) -> SharedPieceCache? {
        let count = piece.count
        if count > shared.shape.maxPieceBytes {
            // Led by E3 to ED: kana, CJK and Hangul (not emoji sequences that end in a
            // variation selector, whose parts are mostly one token each).
            return count <= sharedLong.shape.maxPieceBytes && (0xE3...0xED).contains(piece[0]) ? sharedLong : nil
        }
        // Led by E4 to E9: CJK ideographs (a run of them is a piece of the pattern's own).
        return count >= Self.lookupSkipThreshold && (0xE4...0xE9).contains(piece[0]) ? shared : nil
    }

    /// ``encodeCutting(_:cuts:readableEnd:into:cache:)`` through the shared `table` that keeps
    /// the IDs of the whole run (see ``wholeRunTable(_:)``): a run met by any earlier call (a
    /// clause of a novel, a subtitle line) is neither cut nor merged again.
    @inline(__always)
    private func encodeCuttingSharing(
        _ piece: UnsafeBufferPointer<UInt8>, table: SharedPieceCache, cuts: PieceCuts, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        let start = output.count
        let hash = Self.sharedHash(of: piece, in: table)
        if table.appendIDs(of: piece, hash: hash, to: &output) { return }
        encodeCutting(piece, cuts: cuts, readableEnd: readableEnd, into: &output, cache: cache)
        table.store(output.ids(from: start), of: piece, hash: hash)
    }

    /// The hash that places `piece` in `table`: ``PieceCache/hash(of:)`` in the table of words
    /// (the same as the call's cache), ``SharedPieceCache/longHash(of:)`` in that of long slots.
    @inline(__always)
    private static func sharedHash(of piece: UnsafeBufferPointer<UInt8>, in table: SharedPieceCache) -> UInt64 {
        table.shape.slotBytes == SharedPieceCache.Shape.short.slotBytes ? PieceCache.hash(of: piece) : SharedPieceCache.longHash(of: piece)
    }

    /// Cuts `piece` and appends the ranks of its parts. Not inlined, so that the path of pieces
    /// that are not cut (every piece of English or code) stays as short as before.
    ///
    /// Most parts are one to four characters and one token. The walk that finds the cuts also
    /// walks each part's characters down the token trie (see
    /// ``BacktrackingTables/runNode(startingWith:)``), whose tables stay in cache and span few
    /// pages, so a part that is one token is known when its end is found, with no lookup in the
    /// rank table and no second pass over its bytes. A part that is not a token needs no second
    /// whole-token lookup.
    @inline(never)
    private func encodeCutting(
        _ piece: UnsafeBufferPointer<UInt8>, cuts: PieceCuts, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        let base = piece.baseAddress.unsafelyUnwrapped
        var partStart = 0
        // The part's trie node while the part so far is a run of three-byte characters of at
        // most `longestTriePart` bytes, `unwalked` otherwise.
        var node = Self.unwalked
        var positions = cuts.positions(in: piece)
        walk: while true {
            switch positions.step() {
            case .end:
                break walk
            case .byte:
                node = Self.unwalked
            case let .character(character, cutBefore):
                let start = positions.index - 3
                if cutBefore {
                    encodePart(
                        UnsafeBufferPointer(start: base + partStart, count: start - partStart), node: node,
                        readableEnd: readableEnd, into: &output, cache: cache)
                    partStart = start
                }
                if let backtracking, start == partStart {
                    node = backtracking.runNode(startingWith: character)
                } else if node != Self.unwalked {
                    node =
                        positions.index - partStart > Self.longestTriePart
                        ? Self.unwalked : backtracking.unsafelyUnwrapped.runNode(after: node, extendedWith: character)
                }
            }
        }
        encodePart(
            UnsafeBufferPointer(start: base + partStart, count: piece.count - partStart), node: node,
            readableEnd: readableEnd, into: &output, cache: cache)
    }

    /// Appends the ranks of one part of a cut piece, whose trie node is `node` (always
    /// `unwalked` without backtracking tables, which are the only source of nodes).
    @inline(__always)
    private func encodePart(
        _ part: UnsafeBufferPointer<UInt8>, node: UInt64, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        if node == Self.unwalked {
            encodeWhole(part, readableEnd: readableEnd, into: &output, cache: cache)
        } else if backtracking.unsafelyUnwrapped.isToken(runNode: node) {
            output.append(Int(node))
        } else {
            encodeWhole(part, lookingUpWhole: false, readableEnd: readableEnd, into: &output, cache: cache)
        }
    }

    /// The longest part looked up as a whole token in the trie before anything else.
    static let longestTriePart = 12

    /// The state of ``encodeCutting(_:cuts:readableEnd:into:cache:)``'s trie walk when the part
    /// so far is not a run of three-byte characters that the trie can be asked about.
    private static let unwalked = UInt64.max

    /// Appends the ranks of `piece`, uncut; `lookingUpWhole` is false when the piece is known
    /// not to be one token.
    @inline(__always)
    private func encodeWhole(
        _ piece: UnsafeBufferPointer<UInt8>, lookingUpWhole: Bool = true, readableEnd: UnsafePointer<UInt8>,
        into output: inout TokenIDBuffer, cache: PieceCache?
    ) {
        if piece.isEmpty { return }
        if mergesMakeEveryToken, Self.skipsLookups(piece) {
            // Long kana or CJK runs: seldom met twice in one call, so only the shared cache.
            guard piece.count <= shared.shape.maxPieceBytes else { return merge(piece, into: &output, cache: cache) }
            mergeSharing(piece, hash: PieceCache.hash(of: piece), into: &output, cache: cache)
        } else if piece.count <= PieceCache.maxPieceBytes, cache == nil || cache.unsafelyUnwrapped.isInUse() {
            // The call's cache, then the shared one (whose slot the encode loop prefetched),
            // then the whole-token lookup and the merge, whose IDs both then keep: a word met
            // before in any call costs no probe of the rank table, one token or not.
            // Not `if let`: that binding made the compiler retain the cache around every merge
            // and release it after (5% of Russian's time, sampled), though the caller keeps it
            // alive. It is tested for nil before each use.
            let hash = PieceCache.hash(of: piece)
            let slot = cache != nil ? cache.unsafelyUnwrapped.slot(hash: hash) : nil
            if let slot, cache.unsafelyUnwrapped.appendIDs(in: slot, of: piece, to: &output) { return }
            let start = output.count
            let sharing = piece.count > Self.longestUnsharedPiece
            if sharing, shared.appendIDs(of: piece, hash: hash, to: &output) {
                if slot != nil { cache.unsafelyUnwrapped.recordAnsweredElsewhere() }
            } else {
                if lookingUpWhole, let whole = wholeRank(piece, readableEnd: readableEnd) {
                    output.append(whole)
                } else {
                    merge(piece, into: &output, cache: cache)
                }
                if sharing { shared.store(output.ids(from: start), of: piece, hash: hash) }
            }
            if let slot { cache.unsafelyUnwrapped.store(output.ids(from: start), of: piece, in: slot) }
        } else if lookingUpWhole, let whole = wholeRank(piece, readableEnd: readableEnd) {
            output.append(whole)
        } else {
            merge(piece, into: &output, cache: cache)
        }
    }

    /// Pieces up to this long that the call's cache does not answer are merged without asking
    /// the shared cache: the merges of two to four bytes have no scan and cost less than a load
    /// from memory out of the core's cache, which the encode loop does not start ahead for
    /// pieces of up to eight bytes (see ``prefetch(_:cache:)``). Longer ones are scanned, with
    /// lookups of their own out of the core's cache, and gain from the shared cache.
    static let longestUnsharedPiece = 4

    /// Appends the IDs of `piece` (at most the short table's ``SharedPieceCache/Shape/maxPieceBytes``, whose
    /// ``PieceCache/hash(of:)`` is `hash`) from the shared cache, or merges it and keeps them there.
    @inline(__always)
    private func mergeSharing(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, into output: inout TokenIDBuffer, cache: PieceCache?) {
        let start = output.count
        if shared.appendIDs(of: piece, hash: hash, to: &output) { return }
        merge(piece, into: &output, cache: cache)
        shared.store(output.ids(from: start), of: piece, hash: hash)
    }

    /// The rank of `piece` (not empty) as one token. A piece of up to eight bytes with eight
    /// readable bytes from its start is looked up by one word load, masked to its length.
    @inline(__always)
    private func wholeRank(_ piece: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>) -> Int? {
        if Self.isShort(piece, readableEnd: readableEnd) {
            return vocabulary.rank(ofFirst: piece.count, bytesAt: piece.baseAddress.unsafelyUnwrapped)
        }
        return piece.count <= longestToken ? vocabulary.rank(of: piece) : nil
    }

    /// Whether `piece` is looked up by one word load: up to eight bytes, with eight readable
    /// from its start.
    @inline(__always)
    private static func isShort(_ piece: UnsafeBufferPointer<UInt8>, readableEnd: UnsafePointer<UInt8>) -> Bool {
        piece.count <= 8 && readableEnd - piece.baseAddress.unsafelyUnwrapped >= 8
    }

    /// Merges a piece that is not one token.
    @inline(__always)
    private func merge(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer, cache: PieceCache?) {
        if !Self.prefersBacktracking(piece) {
            mergeByScan(piece, into: &output)
        } else if backtracking?.merge(piece, into: &output, memo: cache?.validPairs) != true {
            // No tables, or (never seen) a search that did not finish.
            mergeByHeap(piece, into: &output)
        }
    }

    private static let noRank = Int.max

    @inline(__always)
    private func rank(_ piece: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        if end - start == 2 { return vocabulary.rank(ofPair: piece[start], piece[start + 1]) ?? Self.noRank }
        if end - start > longestToken { return Self.noRank }
        return vocabulary.rank(of: UnsafeBufferPointer(rebasing: piece[start..<end])) ?? Self.noRank
    }

    /// The rank of `piece[start..<end]`, or `noRank`, where `padded` holds the piece's bytes and
    /// eight zero bytes after them: parts of up to eight bytes are looked up by one word load.
    @inline(__always)
    private func rank(_ piece: UnsafeBufferPointer<UInt8>, padded: UnsafeRawPointer, _ start: Int, _ end: Int) -> Int {
        let length = end - start
        if length == 2 { return vocabulary.rank(ofPair: piece[start], piece[start + 1]) ?? Self.noRank }
        if length > 8 { return rank(piece, start, end) }
        return vocabulary.rank(ofFirst: length, bytesAt: padded + start) ?? Self.noRank
    }

    /// tiktoken's `_byte_pair_merge` of `piece`: pieces of two to four bytes (three quarters
    /// of the pieces of a base64 blob that are not one token) by their few cases, longer ones
    /// by the scan over their parts.
    func mergeByScan(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer) {
        switch piece.count {
        case 2:
            // One pair: the whole piece, or its two bytes.
            if let whole = vocabulary.rank(ofPair: piece[0], piece[1]) {
                output.append(whole)
            } else {
                output.append(rank(piece, 0, 1))
                output.append(rank(piece, 1, 2))
            }
        case 3:
            mergeThreeBytes(piece, into: &output)
        case 4:
            mergeFourBytes(piece, into: &output)
        default:
            mergeByScanningParts(piece, into: &output)
        }
    }

    /// tiktoken's `_byte_pair_merge`, its parts kept as a list linked by start byte instead of an
    /// array that shifts on every merge, in stack scratch space, with no allocation.
    /// `next[i]` is where the part starting at `i` ends, `pairRanks[i]` the rank of merging it
    /// with the part after it, and `partRanks[i]` its own rank once it is a merge (`noRank`
    /// while it is one byte), so the result needs no lookups of its own.
    private func mergeByScanningParts(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer) {
        let count = piece.count
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 8) { copy in
            _ = copy.initialize(from: piece)
            (copy.baseAddress.unsafelyUnwrapped + count).initialize(repeating: 0, count: 8)
            mergeByScanningParts(piece, padded: UnsafeRawPointer(copy.baseAddress.unsafelyUnwrapped), into: &output)
        }
    }

    @inline(__always)
    private func mergeByScanningParts(_ piece: UnsafeBufferPointer<UInt8>, padded: UnsafeRawPointer, into output: inout TokenIDBuffer) {
        let count = piece.count
        @inline(__always) func rank(_ start: Int, _ end: Int) -> Int {
            self.rank(piece, padded: padded, start, end)
        }
        // Each round waits for the lookups of the last one, and those of three to eight bytes
        // probe slots spread over the 8 MB rank table, out of the core's cache: seven rounds
        // waited seven times. So every slot a round might read is requested up front, all at
        // once (27 for nine bytes, 63 for fifteen): for every piece the encoder gives the scan,
        // not the longer ones tests may. English ran 1.18x faster in both orders of alternation.
        if count < Self.backtrackingThreshold {
            for length in 3...8 where length <= count {
                for start in 0...(count - length) { vocabulary.prefetchRank(ofFirst: length, bytesAt: padded + start) }
            }
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * count) { links in
            let next = UnsafeMutableBufferPointer(rebasing: links[0..<count])
            let pairRanks = UnsafeMutableBufferPointer(rebasing: links[count..<2 * count])
            let partRanks = UnsafeMutableBufferPointer(rebasing: links[(2 * count)...])
            for i in 0..<count {
                next[i] = i + 1
                pairRanks[i] = i + 1 < count ? rank(i, i + 2) : Self.noRank
                partRanks[i] = Self.noRank
            }
            while true {
                // The leftmost lowest pair, and the part before it.
                var best = Self.noRank
                var index = -1
                var before = -1
                var previous = -1
                var part = 0
                while part < count {
                    if pairRanks[part] < best {
                        best = pairRanks[part]
                        index = part
                        before = previous
                    }
                    previous = part
                    part = next[part]
                }
                if index < 0 { break }
                let end = next[next[index]]
                next[index] = end
                partRanks[index] = best
                pairRanks[index] = end < count ? rank(index, next[end]) : Self.noRank
                if before >= 0 { pairRanks[before] = rank(before, end) }
            }
            var part = 0
            while part < count {
                output.append(partRanks[part] != Self.noRank ? partRanks[part] : rank(part, next[part]))
                part = next[part]
            }
        }
    }

    /// tiktoken's merges of a piece of three bytes, with no scratch space: the lower of its two
    /// pairs merges first (the left one when they are equal, as in "UUU"), and then the whole
    /// piece if it is a token, as it is the only pair left. A third of the pieces of a base64
    /// blob that are not one token are three bytes.
    @inline(__always)
    private func mergeThreeBytes(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer) {
        let left = rank(piece, 0, 2), right = rank(piece, 1, 3)
        if left == Self.noRank, right == Self.noRank {
            for index in 0..<3 { output.append(rank(piece, index, index + 1)) }
        } else if let whole = vocabulary.rank(of: piece) {
            output.append(whole)
        } else if left <= right {
            output.append(left)
            output.append(rank(piece, 2, 3))
        } else {
            output.append(rank(piece, 0, 1))
            output.append(right)
        }
    }

    /// tiktoken's merges of a piece of four bytes, with no scratch space and no scan: the
    /// leftmost lowest of its three pairs merges first, leaving three parts; then the lower of
    /// the two pairs those make (the left one when they are equal); then the whole piece if it
    /// is a token. Half of the pieces of a base64 blob that the scan merged were four bytes.
    @inline(__always)
    private func mergeFourBytes(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer) {
        let word = UInt64(UInt32(littleEndian: UnsafeRawPointer(piece.baseAddress.unsafelyUnwrapped).loadUnaligned(as: UInt32.self)))
        // The rank of the bytes from `start` to `end`, or `noRank`.
        @inline(__always) func rank(_ start: Int, _ end: Int) -> Int {
            let length = end - start
            if length == 2 { return vocabulary.rank(ofPair: piece[start], piece[start + 1]) ?? Self.noRank }
            let bytes = word >> UInt64(8 * start) & ~0 >> UInt64(64 - 8 * length)
            return vocabulary.rank(ofWord: bytes, length: length) ?? Self.noRank
        }
        vocabulary.prefetchRank(ofWord: word & 0xFF_FFFF, length: 3)
        vocabulary.prefetchRank(ofWord: word >> 8, length: 3)
        vocabulary.prefetchRank(ofWord: word, length: 4)
        let first = rank(0, 2), second = rank(1, 3), third = rank(2, 4)
        // The three parts left by the first merge end at `cut` and `secondCut`.
        let cut: Int, secondCut: Int
        if first != Self.noRank, first <= second, first <= third {
            (cut, secondCut) = (2, 3)
        } else if second != Self.noRank, second <= third {
            (cut, secondCut) = (1, 3)
        } else if third != Self.noRank {
            (cut, secondCut) = (1, 2)
        } else {
            for index in 0..<4 { output.append(rank(index, index + 1)) }
            return
        }
        let left = rank(0, secondCut), right = rank(cut, 4)
        if left == Self.noRank, right == Self.noRank {
            output.append(rank(0, cut))
            output.append(rank(cut, secondCut))
            output.append(rank(secondCut, 4))
        } else if let whole = vocabulary.rank(ofWord: word, length: 4) {
            output.append(whole)
        } else if left <= right {
            output.append(left)
            output.append(rank(secondCut, 4))
        } else {
            output.append(rank(0, cut))
            output.append(right)
        }
    }

    /// The same merges driven by a min-heap of (rank, start) over a linked list of parts, all in
    /// scratch space allocated once per piece.
    func mergeByHeap(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer) {
        let count = piece.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (count + 1)) { links in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * count) { heapStorage in
                // Parts are identified by their start byte: next[i] is the next part's start
                // (count is the end), previous[i] the previous one's (-1 before the first, -2
                // once part i is merged away), pairRank[i] the rank of merging i with the next.
                let next = UnsafeMutableBufferPointer(rebasing: links[0...count])
                let previous = UnsafeMutableBufferPointer(rebasing: links[(count + 1)...(2 * count + 1)])
                let pairRank = UnsafeMutableBufferPointer(rebasing: links[(2 * count + 2)...])
                var heap = MinHeap(storage: heapStorage)
                for i in 0...count {
                    next[i] = i + 1
                    previous[i] = i - 1
                    pairRank[i] = i + 1 < count ? rank(piece, i, i + 2) : Self.noRank
                    if pairRank[i] != Self.noRank { heap.push(rank: pairRank[i], start: i) }
                }
                while let (r, start) = heap.pop() {
                    // Skip entries made stale by an earlier merge; a rank names its bytes, so an
                    // entry whose rank still matches describes the current pair.
                    guard pairRank[start] == r, previous[start] != -2 else { continue }
                    let removed = next[start]
                    let after = next[removed]
                    next[start] = after
                    if after < count { previous[after] = start }
                    previous[removed] = -2
                    pairRank[removed] = Self.noRank
                    let nextEnd = after < count ? next[after] : count + 1
                    pairRank[start] = nextEnd <= count ? rank(piece, start, nextEnd) : Self.noRank
                    if pairRank[start] != Self.noRank { heap.push(rank: pairRank[start], start: start) }
                    let before = previous[start]
                    if before >= 0 {
                        pairRank[before] = rank(piece, before, after)
                        if pairRank[before] != Self.noRank { heap.push(rank: pairRank[before], start: before) }
                    }
                }
                var start = 0
                while start < count {
                    let end = next[start]
                    output.append(rank(piece, start, end))
                    start = end
                }
            }
        }
    }
}

/// A binary min-heap of (rank, start) pairs packed into one integer, ordered by rank then start,
/// in storage the caller provides and sizes for every push.
private struct MinHeap {
    private let items: UnsafeMutableBufferPointer<UInt64>
    private var count = 0

    init(storage: UnsafeMutableBufferPointer<UInt64>) {
        items = storage
    }

    mutating func push(rank: Int, start: Int) {
        // Sift the new item up through a hole instead of swapping.
        let item = UInt64(rank) << 32 | UInt64(start)
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard item < items[parent] else { break }
            items[child] = items[parent]
            child = parent
        }
        items[child] = item
    }

    mutating func pop() -> (rank: Int, start: Int)? {
        guard count > 0 else { return nil }
        let top = items[0]
        count -= 1
        let last = items[count]
        if count > 0 {
            // Sift the last item down from the root through a hole.
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                let right = left + 1
                let child = right < count && items[right] < items[left] ? right : left
                guard items[child] < last else { break }
                items[parent] = items[child]
                parent = child
            }
            items[parent] = last
        }
        return (Int(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
