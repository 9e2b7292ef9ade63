/// Byte-pair encoding of one pre-tokenized piece, with tiktoken's merge order: repeatedly merge
/// the adjacent pair whose concatenation has the lowest rank, the leftmost one on ties.
///
/// Short pieces use tiktoken's own scan over a parts array. Long pieces, where that scan is
/// quadratic, use a heap ordered by (rank, position) over a linked list of parts: the same
/// merges in the same order, in O(n log n).
struct BytePairEncoder: Sendable {
    let vocabulary: Vocabulary

    /// Pieces at least this long take the heap path.
    static let heapThreshold = 48

    /// Appends the ranks of `piece` to `output`.
    func encode(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        if piece.isEmpty { return }
        if piece.count <= vocabulary.longestToken, let whole = vocabulary.rank(of: piece) {
            output.append(whole)
        } else if piece.count < Self.heapThreshold {
            mergeByScan(piece, into: &output)
        } else {
            mergeByHeap(piece, into: &output)
        }
    }

    private static let noRank = Int.max

    @inline(__always)
    private func rank(_ piece: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        if end - start == 2 { return vocabulary.rank(ofPair: piece[start], piece[start + 1]) ?? Self.noRank }
        if end - start > vocabulary.longestToken { return Self.noRank }
        return vocabulary.rank(of: UnsafeBufferPointer(rebasing: piece[start..<end])) ?? Self.noRank
    }

    /// tiktoken's `_byte_pair_merge`: `parts[i]` is a part start and the rank of merging it with
    /// the next part; kept in stack scratch space, with no allocation.
    private func mergeByScan(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        let count = piece.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: count + 1) { starts in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: count + 1) { ranks in
                for i in 0...count { starts[i] = i; ranks[i] = Self.noRank }
                for i in 0..<count - 1 { ranks[i] = rank(piece, i, i + 2) }
                var parts = count + 1 // live entries, including the end sentinel
                while true {
                    var best = Self.noRank
                    var index = -1
                    for i in 0..<parts - 1 where ranks[i] < best {
                        best = ranks[i]
                        index = i
                    }
                    if index < 0 { break }
                    // Remove part index + 1 by shifting the tail left.
                    let tail = parts - index - 2
                    if tail > 0, let s = starts.baseAddress, let r = ranks.baseAddress {
                        (s + index + 1).update(from: s + index + 2, count: tail)
                        (r + index + 1).update(from: r + index + 2, count: tail)
                    }
                    parts -= 1
                    ranks[index] = index + 2 < parts ? rank(piece, starts[index], starts[index + 2]) : Self.noRank
                    if index > 0 {
                        ranks[index - 1] = rank(piece, starts[index - 1], starts[index + 1])
                    }
                }
                for i in 0..<parts - 1 {
                    output.append(rank(piece, starts[i], starts[i + 1]))
                }
            }
        }
    }

    /// The same merges driven by a min-heap of (rank, start) over a linked list of parts.
    private func mergeByHeap(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        let count = piece.count
        // Parts are identified by their start byte; next[count] is the end sentinel.
        var next = [Int](1...count + 1)
        var previous = [Int](-1..<count)
        var pairRank = [Int](repeating: Self.noRank, count: count)
        var heap = MinHeap()
        for i in 0..<count - 1 {
            let r = rank(piece, i, i + 2)
            pairRank[i] = r
            if r != Self.noRank { heap.push(rank: r, start: i) }
        }
        while let (r, start) = heap.pop() {
            // Skip entries made stale by an earlier merge; a rank names its bytes, so an entry
            // whose rank still matches describes the current pair.
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

/// A binary min-heap of (rank, start) pairs packed into one integer, ordered by rank then start.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(rank: Int, start: Int) {
        items.append(UInt64(rank) << 32 | UInt64(start))
        items.withUnsafeMutableBufferPointer { heap in
            // Sift the new item up through a hole instead of swapping.
            let item = heap[heap.count - 1]
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard item < heap[parent] else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = item
        }
    }

    mutating func pop() -> (rank: Int, start: Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items.withUnsafeMutableBufferPointer { heap in
                // Sift the last item down from the root through a hole.
                var parent = 0
                let count = heap.count
                while true {
                    let left = 2 * parent + 1
                    guard left < count else { break }
                    let right = left + 1
                    let child = right < count && heap[right] < heap[left] ? right : left
                    guard heap[child] < last else { break }
                    heap[parent] = heap[child]
                    parent = child
                }
                heap[parent] = last
            }
        }
        return (Int(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
