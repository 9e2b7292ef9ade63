/// What backtracking BPE needs beyond the rank table, derived once from the vocabulary: a trie
/// of the tokens for longest-prefix matching, each token's longest proper prefix token, and
/// each token's last merge (its split into two tokens) with the reverse map. What the merge
/// reads of one token (length, prefix token, split, the lowest merges it is part of) sits
/// together in 24 bytes, one cache line (or two) instead of six arrays' worth: merging text
/// with many distinct tokens is bound by such loads.
/// For the same reason the trie can also be walked a whole two-byte character (Cyrillic, Greek,
/// Arabic, Hebrew) or three-byte one (CJK, kana, Hangul) per lookup, where no token ends inside
/// the character.
///
/// A token's split is found the way github/rust-gems `bpe` finds it: the longest prefix token
/// whose remainder is a token, both of lower rank, forming a valid pair. That this reproduces
/// tiktoken's merges for the Kimi vocabulary is not assumed: every token, the corpora and
/// random pieces are checked against the heap merge and the reference.
final class BacktrackingTables: @unchecked Sendable {
    /// The arrays, as built and as stored in a vocabulary image.
    ///
    /// Trie nodes are numbered so that the node spelling token `r` is `r`: a node is a token
    /// exactly when it is below the rank count, with no second lookup. The root and the
    /// prefixes that are not tokens follow.
    struct Arrays {
        /// Trie transitions: key `node << 8 | byte`, value the child node.
        let trieSlots: [UInt64]
        /// The node of each single byte (its rank), `none` for a byte that is not a token.
        let oneByteNodes: [UInt32]
        /// The node of each two-byte prefix, indexed by `first << 8 | second`, `none` if no token
        /// starts with those bytes: the first two steps of every walk, from a table that stays
        /// in cache.
        let twoByteNodes: [UInt32]
        /// The node of each three-byte character from the root, indexed by its 16 payload bits,
        /// `none` if no token starts with it: the first character of a CJK, kana or Hangul walk
        /// in one read of a table that stays in cache, instead of two reads and a probe of the
        /// byte transitions.
        let threeByteNodes: [UInt32]
        /// Trie steps over a whole two-byte character: key `node << 11 | c`, `c` the character's
        /// 11 payload bits, value the node after its two bytes.
        let pairStepSlots: [UInt64]
        /// Trie steps over a whole three-byte character: key `node << 16 | c`, `c` the character's
        /// 16 payload bits, value the node after its three bytes.
        let charStepSlots: [UInt64]
        /// One bit per trie node: set if some token ends inside a two- or three-byte character
        /// after it, so the walk takes that character byte by byte.
        let midCharNodes: [UInt64]
        /// Each token's length, prefix token and split.
        let tokenLinks: [TokenLinks]
        /// Key `left << 21 | right` for each token's split, value the token.
        let mergeSlots: [UInt64]
        /// Three bits in one word per hash of those keys: most pairs checked are no merge, and
        /// a clear bit says so from 128 KB that stay in cache instead of the 4 MB of slots.
        let mergeFilter: [UInt64]
        /// The characters no token boundary can fall inside (see ``SplitFreeCharacters``).
        let splitFreeCharacters: [UInt64]

        /// Whether every token longer than one byte has a split, that is, is what its own bytes
        /// merge to (a token with none is never produced by merging).
        var everyTokenIsAMerge: Bool {
            tokenLinks.indices.allSatisfy { tokenLinks[$0].length < 2 || tokenLinks[$0].splitLeft != UInt32($0) }
        }
    }

    /// What the merge reads of one token.
    struct TokenLinks: BitwiseCopyable, Equatable {
        /// The length in bytes.
        var length: UInt32
        /// The longest token that is a proper prefix of this one, `none` if there is none.
        var shorterPrefix: UInt32
        /// The two tokens this one is merged from; a token that is no merge is split into itself.
        var splitLeft: UInt32
        var splitRight: UInt32
        /// The lowest rank of a token merged from this one on the left (`splitLeft`), and on the
        /// right, `none` if there is none: a pair whose bounds are not below a limit cannot hold
        /// a merge below it, which spares the valid-pair test half of its probes of the merge
        /// table.
        var lowestMergeAsLeft: UInt32
        var lowestMergeAsRight: UInt32
    }

    /// The number of bits in ``Arrays/mergeFilter``, as a power of two.
    static let mergeFilterBits = 20

    static let none = UInt32.max
    static let rankBits = 21
    static let nodeBits = 24

    private let table: ByteStringTable
    private let tokenCount: UInt64
    private let transitions: PackedWordTable
    private let oneByteNodes: UnsafeBufferPointer<UInt32>
    private let twoByteNodes: UnsafeBufferPointer<UInt32>
    private let threeByteNodes: UnsafeBufferPointer<UInt32>
    private let pairSteps: PackedWordTable
    private let charSteps: PackedWordTable
    private let midCharNodes: UnsafeBufferPointer<UInt64>
    private let links: UnsafeBufferPointer<TokenLinks>
    private let merges: PackedWordTable
    private let mergeFilter: UnsafeBufferPointer<UInt64>
    private let splitFreeCharacters: UnsafeBufferPointer<UInt64>

    /// The tables over arrays that ``build(table:)`` made, kept alive by whoever keeps `table`'s
    /// memory (the same ``RawMemory``).
    init(
        table: ByteStringTable, trieSlots: UnsafeBufferPointer<UInt64>, oneByteNodes: UnsafeBufferPointer<UInt32>,
        twoByteNodes: UnsafeBufferPointer<UInt32>, threeByteNodes: UnsafeBufferPointer<UInt32>, pairStepSlots: UnsafeBufferPointer<UInt64>,
        charStepSlots: UnsafeBufferPointer<UInt64>,
        midCharNodes: UnsafeBufferPointer<UInt64>, tokenLinks: UnsafeBufferPointer<TokenLinks>,
        mergeSlots: UnsafeBufferPointer<UInt64>, mergeFilter: UnsafeBufferPointer<UInt64>,
        splitFreeCharacters: UnsafeBufferPointer<UInt64>
    ) {
        self.table = table
        tokenCount = UInt64(table.count)
        transitions = PackedWordTable(slots: trieSlots, valueBits: Self.nodeBits)
        self.oneByteNodes = oneByteNodes
        self.twoByteNodes = twoByteNodes
        self.threeByteNodes = threeByteNodes
        pairSteps = PackedWordTable(slots: pairStepSlots, valueBits: Self.nodeBits)
        charSteps = PackedWordTable(slots: charStepSlots, valueBits: Self.nodeBits)
        self.midCharNodes = midCharNodes
        links = tokenLinks
        merges = PackedWordTable(slots: mergeSlots, valueBits: Self.rankBits)
        self.mergeFilter = mergeFilter
        self.splitFreeCharacters = splitFreeCharacters
    }

    /// The word of ``Arrays/mergeFilter`` for a merge key, and the three bits in it that the key
    /// sets: still one word read per test, and far fewer false positives than one bit per key,
    /// each of them a probe of the large merge table.
    @inline(__always)
    private static func filterBits(_ key: UInt64) -> (word: Int, bits: UInt64) {
        let hash = (key ^ key >> 29) &* 0x9E37_79B9_7F4A_7C15
        let bits: UInt64 = 1 << (hash >> 44 & 63) | 1 << (hash >> 38 & 63) | 1 << (hash >> 32 & 63)
        return (Int(truncatingIfNeeded: hash >> UInt64(64 - (mergeFilterBits - 6))), bits)
    }

    /// Derives the arrays from the rank table, or `nil` if the vocabulary is too large for the
    /// packed tables (then only the heap merge is used).
    static func build(table: ByteStringTable) -> Arrays? {
        let count = table.count
        guard count < 1 << rankBits else { return nil }
        let root = UInt64(count)
        var nextNode = root + 1
        var transitions = PackedWordTable.Builder(valueBits: nodeBits)
        var shorterPrefix = [UInt32](repeating: none, count: count)
        var pairSteps = PackedWordTable.Builder(valueBits: nodeBits)
        var charSteps = PackedWordTable.Builder(valueBits: nodeBits)
        var midCharNodeList: [UInt64] = []
        var path: [UInt64] = []  // path[i]: the node after the token's first i bytes
        for rank in 0..<count {
            let bytes = table.bytes(of: rank)
            var node = root
            path.removeAll(keepingCapacity: true)
            for end in bytes.indices {
                path.append(node)
                // The node reached before the last byte that is a token is the longest prefix token.
                if node < root { shorterPrefix[rank] = UInt32(node) }
                let key = node << 8 | UInt64(bytes[end])
                if let child = transitions.value(of: key) {
                    node = child
                    continue
                }
                if let prefixRank = bytes[...end].withUnsafeBufferPointer({ table.value(of: $0) }) {
                    node = UInt64(prefixRank)
                } else {
                    node = nextNode
                    nextNode += 1
                }
                // All ones would be an empty slot in the packed tables.
                guard node < (1 << nodeBits) - 1 else { return nil }
                transitions.insert(key, node)
            }
            path.append(node)
            let token = Array(bytes)
            // A step over each whole character of the token, from the node before it.
            for index in token.indices {
                if index + 2 <= token.count, Self.isCharacter(token[index], token[index + 1]) {
                    let key = path[index] << 11 | Self.payload(token[index], token[index + 1])
                    if pairSteps.value(of: key) == nil { pairSteps.insert(key, path[index + 2]) }
                } else if index + 3 <= token.count, Self.isCharacter(token[index], token[index + 1], token[index + 2]) {
                    let key = path[index] << 16 | Self.payload(token[index], token[index + 1], token[index + 2])
                    if charSteps.value(of: key) == nil { charSteps.insert(key, path[index + 3]) }
                }
            }
            if let last = token.last, last & 0xE0 == 0xC0 { midCharNodeList.append(path[token.count - 1]) }
            for back in 1...2 where token.count >= back && token[token.count - back] & 0xF0 == 0xE0 {
                midCharNodeList.append(path[token.count - back])
            }
        }
        var midCharNodes = [UInt64](repeating: 0, count: Int(nextNode) / 64 + 1)
        for node in midCharNodeList { midCharNodes[Int(node) >> 6] |= 1 << (node & 63) }
        let oneByteNodes = (0..<256).map { transitions.value(of: root << 8 | UInt64($0)).map(UInt32.init) ?? none }
        let twoByteNodes = (0..<65536).map { pair -> UInt32 in
            let first = oneByteNodes[pair >> 8]
            guard first != none else { return none }
            return transitions.value(of: UInt64(first) << 8 | UInt64(pair & 0xFF)).map(UInt32.init) ?? none
        }
        let threeByteNodes = (0..<65536).map { payload -> UInt32 in
            let second = twoByteNodes[(0xE0 | payload >> 12) << 8 | (0x80 | payload >> 6 & 0x3F)]
            guard second != none else { return none }
            return transitions.value(of: UInt64(second) << 8 | UInt64(0x80 | payload & 0x3F)).map(UInt32.init) ?? none
        }
        // Splits in rank order, so the splits of a token's parts are known when it is reached.
        var splitLeft = [UInt32](repeating: 0, count: count)
        var splitRight = [UInt32](repeating: 0, count: count)
        var merges = PackedWordTable.Builder(valueBits: rankBits)
        func mergesBelow(_ left: UInt32, _ right: UInt32, _ limit: UInt32) -> Bool {
            merges.value(of: pairKey(left, right)).map { $0 < UInt64(limit) } ?? false
        }
        for rank in 0..<count {
            let bytes = table.bytes(of: rank)
            splitLeft[rank] = UInt32(rank)
            splitRight[rank] = UInt32(rank)
            var left = shorterPrefix[rank]
            while left != none {
                let rest = bytes.dropFirst(table.length(of: Int(left)))
                if let right = rest.withUnsafeBufferPointer({ table.value(of: $0) }), left < rank, right < rank,
                    isValidPair(
                        left, UInt32(right), mergesBelow: mergesBelow,
                        splitLeft: { splitLeft[Int($0)] }, splitRight: { splitRight[Int($0)] })
                {
                    splitLeft[rank] = left
                    splitRight[rank] = UInt32(right)
                    merges.insert(pairKey(left, UInt32(right)), UInt64(rank))
                    break
                }
                left = shorterPrefix[Int(left)]
            }
        }
        var mergeFilter = [UInt64](repeating: 0, count: 1 << (mergeFilterBits - 6))
        for entry in merges.slots where entry != PackedWordTable.empty {
            let (word, bits) = filterBits(entry >> UInt64(rankBits))
            mergeFilter[word] |= bits
        }
        let splitFreeCharacters = SplitFreeCharacters.build(tokenCount: count, bytes: { table.bytes(of: $0) }) { left, right in
            isValidPair(left, right, mergesBelow: mergesBelow, splitLeft: { splitLeft[Int($0)] }, splitRight: { splitRight[Int($0)] })
        }
        var lowestMergeAsLeft = [UInt32](repeating: none, count: count)
        var lowestMergeAsRight = [UInt32](repeating: none, count: count)
        for rank in (0..<count).reversed() where splitLeft[rank] != UInt32(rank) {
            lowestMergeAsLeft[Int(splitLeft[rank])] = UInt32(rank)
            lowestMergeAsRight[Int(splitRight[rank])] = UInt32(rank)
        }
        let tokenLinks = (0..<count).map { rank in
            TokenLinks(
                length: UInt32(table.length(of: rank)), shorterPrefix: shorterPrefix[rank],
                splitLeft: splitLeft[rank], splitRight: splitRight[rank],
                lowestMergeAsLeft: lowestMergeAsLeft[rank], lowestMergeAsRight: lowestMergeAsRight[rank])
        }
        return Arrays(
            trieSlots: transitions.slots, oneByteNodes: oneByteNodes, twoByteNodes: twoByteNodes,
            threeByteNodes: threeByteNodes, pairStepSlots: pairSteps.slots, charStepSlots: charSteps.slots, midCharNodes: midCharNodes, tokenLinks: tokenLinks,
            mergeSlots: merges.slots, mergeFilter: mergeFilter, splitFreeCharacters: splitFreeCharacters)
    }

    /// Whether no token boundary can fall inside `scalar` (see ``SplitFreeCharacters``).
    func isSplitFree(_ scalar: Unicode.Scalar) -> Bool {
        SplitFreeCharacters.contains(scalar, words: splitFreeCharacters)
    }

    /// The length of `token` in bytes.
    @inline(__always)
    func length(of token: UInt32) -> Int {
        Int(links[Int(token)].length)
    }

    /// The longest token that is a proper prefix of `token`, `none` if there is none.
    @inline(__always)
    func shorterPrefix(of token: UInt32) -> UInt32 {
        links[Int(token)].shorterPrefix
    }

    /// The trie node of a run of three-byte characters, extended one character at a time by
    /// ``runNode(after:extendedWith:)``: ``none`` once no token starts with the run. A node
    /// below the token count is the token that is exactly the run. The first character comes
    /// from a direct table, each later one from a step, in tables of 2.3 MB instead of the rank
    /// table's 8 MB.
    @inline(__always)
    func runNode(startingWith character: UInt32) -> UInt64 {
        UInt64(threeByteNodes[Int(character)])
    }

    /// The trie node of the run of `node` followed by the character `character`.
    @inline(__always)
    func runNode(after node: UInt64, extendedWith character: UInt32) -> UInt64 {
        guard node != UInt64(Self.none), let after = charSteps.value(of: node << 16 | UInt64(character)) else { return UInt64(Self.none) }
        return after
    }

    /// Whether a run's node (see ``runNode(startingWith:)``) is the token that is exactly the run.
    @inline(__always)
    func isToken(runNode node: UInt64) -> Bool {
        node < tokenCount
    }

    /// Whether `lead`, `second` are a two-byte UTF-8 sequence's lead and continuation bytes
    /// (overlong forms included).
    @inline(__always)
    private static func isCharacter(_ lead: UInt8, _ second: UInt8) -> Bool {
        lead & 0xE0 == 0xC0 && second & 0xC0 == 0x80
    }

    /// The 11 payload bits of a two-byte sequence.
    @inline(__always)
    private static func payload(_ lead: UInt8, _ second: UInt8) -> UInt64 {
        UInt64(UTF8Scalars.twoBytePayload(lead, second))
    }

    /// Whether `lead`, `second`, `third` are a three-byte UTF-8 sequence's lead and continuation
    /// bytes (overlong and surrogate forms included: only the shape matters here).
    @inline(__always)
    private static func isCharacter(_ lead: UInt8, _ second: UInt8, _ third: UInt8) -> Bool {
        lead & 0xF0 == 0xE0 && second & 0xC0 == 0x80 && third & 0xC0 == 0x80
    }

    /// The 16 payload bits of a three-byte sequence, which name it among such sequences.
    @inline(__always)
    private static func payload(_ lead: UInt8, _ second: UInt8, _ third: UInt8) -> UInt64 {
        UInt64(UTF8Scalars.threeBytePayload(lead, second, third))
    }

    /// Whether a token ends inside a two- or three-byte character after `node` (also for a node the
    /// bits do not cover, which only costs the faster step).
    @inline(__always)
    private func hasTokenInsideCharacter(after node: UInt64) -> Bool {
        let word = Int(truncatingIfNeeded: node >> 6)
        return word >= midCharNodes.count || midCharNodes[word] & (1 << (node & 63)) != 0
    }

    /// The longest token that is a prefix of `text[start...]` (`start` must be inside the text);
    /// `none` only if its first byte is not a token.
    @inline(__always)
    func longestToken(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32 {
        let first = Int(text[start])
        let best = oneByteNodes[first]
        guard start + 1 < text.count else { return best }
        var node: UInt64
        var longest: UInt64
        var index: Int
        // The lead byte first: ASCII and two-byte text take the other branch after one test.
        if first & 0xF0 == 0xE0, start + 3 <= text.count, Self.isCharacter(text[start], text[start + 1], text[start + 2]) {
            // A whole three-byte character first: one read when it is a token, as most are.
            let third = threeByteNodes[Int(Self.payload(text[start], text[start + 1], text[start + 2]))]
            if third < tokenCount {
                longest = UInt64(third)
            } else {
                let second = twoByteNodes[first << 8 | Int(text[start + 1])]
                let shorter = second < tokenCount ? second : best
                guard third != Self.none else { return shorter }
                longest = UInt64(shorter)
            }
            node = UInt64(third)
            index = start + 3
        } else {
            let second = twoByteNodes[first << 8 | Int(text[start + 1])]
            guard second != Self.none else { return best }
            node = UInt64(second)
            longest = node < tokenCount ? node : UInt64(best)
            index = start + 2
        }
        while index < text.count {
            let byte = text[index]
            // No path through a whole character means no token past this point.
            if index + 3 <= text.count, Self.isCharacter(byte, text[index + 1], text[index + 2]),
                !hasTokenInsideCharacter(after: node)
            {
                guard let child = charSteps.value(of: node << 16 | Self.payload(byte, text[index + 1], text[index + 2])) else { break }
                node = child
                index += 3
            } else if index + 2 <= text.count, Self.isCharacter(byte, text[index + 1]), !hasTokenInsideCharacter(after: node) {
                guard let child = pairSteps.value(of: node << 11 | Self.payload(byte, text[index + 1])) else { break }
                node = child
                index += 2
            } else {
                guard let child = transitions.value(of: node << 8 | UInt64(byte)) else { break }
                node = child
                index += 1
            }
            if node < tokenCount { longest = node }
        }
        return UInt32(truncatingIfNeeded: longest)
    }

    /// Appends the tokens of `piece` in tiktoken's merge order and returns true, or leaves
    /// `output` as it was and returns false if the search does not finish (not seen on any
    /// input; the caller then merges another way).
    ///
    /// Left to right: take the longest token at each position that forms a valid pair with the
    /// previous one, trying shorter prefixes of it and backtracking when none fits; positions
    /// found to lead nowhere are remembered, which keeps the search linear. A token that ends
    /// inside a split-free character is passed over untested. Without that, the search often
    /// stepped into a character by its lead byte (a valid pair with the token before) and found
    /// nothing after it; skipping such tokens saves those steps and their valid-pair tests.
    /// `memo`, when given, remembers those tests across the pieces of one encode call.
    func merge(_ piece: UnsafeBufferPointer<UInt8>, into output: inout TokenIDBuffer, memo: ValidPairMemo? = nil) -> Bool {
        let count = piece.count
        let first = output.count
        let finished: Bool = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count / 64 + 1) { reachable in
            reachable.initialize(repeating: ~0)
            var position = 0
            var next = longestToken(in: piece, from: 0)
            while next != Self.none {
                var token = next
                while true {
                    let end = position + length(of: token)
                    if reachable[end >> 6] & (1 << UInt64(end & 63)) != 0,
                        end == count
                            || !SplitFreeCharacters.endsInside(
                                piece, at: end, tokenLength: end - position,
                                words: splitFreeCharacters),
                        output.count == first || isValidPair(UInt32(output.last), token, memo: memo)
                    {
                        output.append(Int(token))
                        position = end
                        next = end < count ? longestToken(in: piece, from: end) : Self.none
                        break
                    }
                    let shorter = shorterPrefix(of: token)
                    if shorter != Self.none {
                        token = shorter
                        continue
                    }
                    // Nothing fits after the previous token: it was wrong, so undo it.
                    guard output.count > first else { return false }
                    reachable[position >> 6] &= ~(1 << UInt64(position & 63))
                    let previous = output.removeLast()
                    position -= length(of: UInt32(previous))
                    next = UInt32(previous)
                    break
                }
            }
            return position == count
        }
        if !finished { output.truncate(to: first) }
        return finished
    }

    /// ``isValidPair(_:_:)`` through `memo` when there is one.
    @inline(__always)
    private func isValidPair(_ left: UInt32, _ right: UInt32, memo: ValidPairMemo?) -> Bool {
        guard let memo else { return isValidPair(left, right) }
        return memo.isValidPair(left, right) { isValidPair($0, $1) }
    }

    /// Whether BPE of the bytes of `left` then `right` yields exactly those two tokens.
    @inline(__always)
    func isValidPair(_ left: UInt32, _ right: UInt32) -> Bool {
        Self.isValidPair(
            left, right,
            mergesBelow: { left, right, limit in
                // Most pairs are settled by the bounds, from lines the test reads anyway; most of the
                // rest by the filter, from 128 KB that stay in cache.
                guard max(links[Int(left)].lowestMergeAsLeft, links[Int(right)].lowestMergeAsRight) < limit else { return false }
                let key = Self.pairKey(left, right)
                let (word, bits) = Self.filterBits(key)
                guard mergeFilter[word] & bits == bits, let merged = merges.value(of: key) else { return false }
                return merged < UInt64(limit)
            }, splitLeft: { links[Int($0)].splitLeft }, splitRight: { links[Int($0)].splitRight })
    }

    /// The key of the pair `left`, `right` in the merge table (and in ``ValidPairMemo``).
    @inline(__always)
    static func pairKey(_ left: UInt32, _ right: UInt32) -> UInt64 {
        UInt64(left) << UInt64(rankBits) | UInt64(right)
    }

    /// Undoes the merges of `left` and `right` from the last one back, checking at each step
    /// that no token across the boundary would have been merged first (on equal ranks the left
    /// one wins, as in tiktoken). `mergesBelow(l, r, limit)` says whether `l` and `r` merge
    /// into a token of a rank below `limit`.
    @inline(__always)
    private static func isValidPair(
        _ left: UInt32, _ right: UInt32, mergesBelow: (UInt32, UInt32, UInt32) -> Bool,
        splitLeft: (UInt32) -> UInt32, splitRight: (UInt32) -> UInt32
    ) -> Bool {
        var left = left, right = right
        var limit = UInt32.max
        while true {
            if mergesBelow(left, right, limit) { return false }
            if left > right {
                limit = left
                left = splitRight(left)
                if left == limit {
                    limit = right + 1
                    right = splitLeft(right)
                    if right + 1 == limit { return true }
                }
            } else {
                limit = right + 1
                right = splitLeft(right)
                if right + 1 == limit {
                    limit = left
                    left = splitRight(left)
                    if left == limit { return true }
                }
            }
        }
    }
}
