/// What backtracking BPE needs beyond the rank table, derived once from the vocabulary: a trie
/// of the tokens for longest-prefix matching, each token's longest proper prefix token, and
/// each token's last merge (its split into two tokens) with the reverse map.
///
/// A token's split is found the way github/rust-gems `bpe` finds it: the longest prefix token
/// whose remainder is a token, both of lower rank, forming a valid pair. That this reproduces
/// tiktoken's merges for the Kimi vocabulary is not assumed: every token, the corpora and
/// random pieces are checked against the heap merge and the reference.
struct BacktrackingTables: @unchecked Sendable {
    /// The arrays, as built and as stored in a vocabulary image.
    struct Arrays {
        /// Trie transitions: key `node << 8 | byte`, value the child node; node 0 is the root.
        let trieSlots: [UInt64]
        /// The token each trie node spells, `none` for a prefix that is not a token.
        let trieTokens: [UInt32]
        /// The longest token that is a proper prefix of each token, `none` if there is none.
        let shorterPrefix: [UInt32]
        /// The two tokens each token is merged from; a token that is no merge is split into itself.
        let splitLeft: [UInt32]
        let splitRight: [UInt32]
        /// Key `left << 21 | right` for each token's split, value the token.
        let mergeSlots: [UInt64]
    }

    static let none = UInt32.max
    static let rankBits = 21
    static let nodeBits = 24

    private let table: ByteStringTable
    private let transitions: PackedWordTable
    private let trieTokens: UnsafeBufferPointer<UInt32>
    /// The longest token that is a proper prefix of each token, `none` if there is none.
    let shorterPrefix: UnsafeBufferPointer<UInt32>
    private let splitLeft: UnsafeBufferPointer<UInt32>
    private let splitRight: UnsafeBufferPointer<UInt32>
    private let merges: PackedWordTable

    /// The tables over arrays that ``build(table:)`` made, kept alive by whoever keeps `table`'s
    /// memory (the same ``RawMemory``).
    init(table: ByteStringTable, trieSlots: UnsafeBufferPointer<UInt64>, trieTokens: UnsafeBufferPointer<UInt32>,
         shorterPrefix: UnsafeBufferPointer<UInt32>, splitLeft: UnsafeBufferPointer<UInt32>,
         splitRight: UnsafeBufferPointer<UInt32>, mergeSlots: UnsafeBufferPointer<UInt64>) {
        self.table = table
        transitions = PackedWordTable(slots: trieSlots, valueBits: Self.nodeBits)
        self.trieTokens = trieTokens
        self.shorterPrefix = shorterPrefix
        self.splitLeft = splitLeft
        self.splitRight = splitRight
        merges = PackedWordTable(slots: mergeSlots, valueBits: Self.rankBits)
    }

    /// Derives the arrays from the rank table, or `nil` if the vocabulary is too large for the
    /// packed tables (then only the heap merge is used).
    static func build(table: ByteStringTable) -> Arrays? {
        let count = table.count
        guard count < 1 << rankBits else { return nil }
        var transitions = PackedWordTable.Builder(valueBits: nodeBits)
        var trieTokens: [UInt32] = [none]
        for rank in 0..<count {
            var node: UInt64 = 0
            for byte in table.bytes(of: rank) {
                let key = node << 8 | UInt64(byte)
                if let child = transitions.value(of: key) {
                    node = child
                } else {
                    node = UInt64(trieTokens.count)
                    guard node < 1 << nodeBits else { return nil }
                    transitions.insert(key, node)
                    trieTokens.append(none)
                }
            }
            trieTokens[Int(node)] = UInt32(rank)
        }
        var shorterPrefix = [UInt32](repeating: none, count: count)
        for rank in 0..<count {
            var node: UInt64 = 0
            for byte in table.bytes(of: rank).dropLast() {
                guard let child = transitions.value(of: node << 8 | UInt64(byte)) else { break }
                node = child
                if trieTokens[Int(node)] != none { shorterPrefix[rank] = trieTokens[Int(node)] }
            }
        }
        // Splits in rank order, so the splits of a token's parts are known when it is reached.
        var splitLeft = [UInt32](repeating: 0, count: count)
        var splitRight = [UInt32](repeating: 0, count: count)
        var merges = PackedWordTable.Builder(valueBits: rankBits)
        for rank in 0..<count {
            let bytes = table.bytes(of: rank)
            splitLeft[rank] = UInt32(rank)
            splitRight[rank] = UInt32(rank)
            var left = shorterPrefix[rank]
            while left != none {
                let rest = bytes.dropFirst(table.length(of: Int(left)))
                if let right = rest.withUnsafeBufferPointer({ table.value(of: $0) }), left < rank, right < rank,
                   isValidPair(left, UInt32(right), merges: { merges.value(of: $0) }, splitLeft: splitLeft, splitRight: splitRight) {
                    splitLeft[rank] = left
                    splitRight[rank] = UInt32(right)
                    merges.insert(UInt64(left) << UInt64(rankBits) | UInt64(right), UInt64(rank))
                    break
                }
                left = shorterPrefix[Int(left)]
            }
        }
        return Arrays(trieSlots: transitions.slots, trieTokens: trieTokens, shorterPrefix: shorterPrefix,
                      splitLeft: splitLeft, splitRight: splitRight, mergeSlots: merges.slots)
    }

    /// The length of `token` in bytes.
    @inline(__always)
    func length(of token: UInt32) -> Int {
        table.length(of: Int(token))
    }

    /// The longest token that is a prefix of `text[start...]`; every single byte is a token, so
    /// there is one whenever `start` is inside the text.
    @inline(__always)
    func longestToken(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32 {
        var node: UInt64 = 0
        var best = Self.none
        var index = start
        while index < text.count, let child = transitions.value(of: node << 8 | UInt64(text[index])) {
            node = child
            let token = trieTokens[Int(node)]
            if token != Self.none { best = token }
            index += 1
        }
        return best
    }

    /// Whether BPE of the bytes of `left` then `right` yields exactly those two tokens.
    @inline(__always)
    func isValidPair(_ left: UInt32, _ right: UInt32) -> Bool {
        Self.isValidPair(left, right, merges: { merges.value(of: $0) }, splitLeft: splitLeft, splitRight: splitRight)
    }

    /// Undoes the merges of `left` and `right` from the last one back, checking at each step
    /// that no token across the boundary would have been merged first (on equal ranks the left
    /// one wins, as in tiktoken).
    @inline(__always)
    private static func isValidPair<Splits: RandomAccessCollection<UInt32>>(
        _ left: UInt32, _ right: UInt32, merges: (UInt64) -> UInt64?, splitLeft: Splits, splitRight: Splits
    ) -> Bool where Splits.Index == Int {
        var left = left, right = right
        var limit = UInt32.max
        while true {
            if let combined = merges(UInt64(left) << UInt64(rankBits) | UInt64(right)), combined < UInt64(limit) {
                return false
            }
            if left > right {
                limit = left
                left = splitRight[Int(left)]
                if left == limit {
                    limit = right + 1
                    right = splitLeft[Int(right)]
                    if right + 1 == limit { return true }
                }
            } else {
                limit = right + 1
                right = splitLeft[Int(right)]
                if right + 1 == limit {
                    limit = left
                    left = splitRight[Int(left)]
                    if left == limit { return true }
                }
            }
        }
    }
}
