/// The pieces the pre-tokenizer has found and the encoder has not yet encoded: the encode
/// loop's short queue, so that a piece's load from memory out of the core's cache (its slot in
/// the shared piece cache) starts when it is found and has arrived by the time it is encoded,
/// a few pieces later, instead of each piece waiting for its own.
///
/// It lives in scratch memory of the encode call (``withScratch(_:)``), handed down to the
/// loop: as locals captured by the loop's closure, its words would be checked for exclusive
/// access on every piece, and a scratch allocation inside the loop's own function kept the
/// closure from being inlined.
struct PendingPieces {
    /// How many pieces are found ahead of the one encoded (a power of two).
    static let depth = 4

    /// `depth` pairs (start, count), then the numbers of pieces found and encoded, then the
    /// number of the last piece found that waits for a load (-1: none).
    private let words: UnsafeMutablePointer<Int>
    private static let wordCount = 2 * depth + 3

    /// Calls `body` with an empty queue in scratch memory.
    @inline(__always)
    static func withScratch<Result, Failure: Error>(
        _ body: (PendingPieces) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: wordCount) { (memory) throws(Failure) -> Result in
            let pieces = PendingPieces(words: memory.baseAddress.unsafelyUnwrapped)
            pieces.reset()
            return try body(pieces)
        }
    }

    private var found: UnsafeMutablePointer<Int> { words + 2 * Self.depth }
    private var encoded: UnsafeMutablePointer<Int> { words + 2 * Self.depth + 1 }
    private var lastAwaited: UnsafeMutablePointer<Int> { words + 2 * Self.depth + 2 }

    /// Empties the queue.
    @inline(__always)
    func reset() { (found.pointee, encoded.pointee, lastAwaited.pointee) = (0, 0, -1) }

    /// Whether a queued piece waits for a load (was pushed `awaited`).
    @inline(__always)
    var awaitsLoad: Bool { lastAwaited.pointee >= encoded.pointee }

    /// Whether the queue holds ``depth`` pieces.
    @inline(__always)
    var isFull: Bool { found.pointee - encoded.pointee == Self.depth }

    /// Whether the queue holds no piece.
    @inline(__always)
    var isEmpty: Bool { found.pointee == encoded.pointee }

    /// Adds the piece at `range`; `awaited` when a load for it was started.
    @inline(__always)
    func push(_ range: Range<Int>, awaited: Bool) {
        let slot = words + 2 * (found.pointee & (Self.depth - 1))
        (slot[0], slot[1]) = (range.lowerBound, range.count)
        if awaited { lastAwaited.pointee = found.pointee }
        found.pointee += 1
    }

    /// Removes the oldest piece and returns its start and length.
    @inline(__always)
    func pop() -> (start: Int, count: Int) {
        let slot = words + 2 * (encoded.pointee & (Self.depth - 1))
        encoded.pointee += 1
        return (slot[0], slot[1])
    }
}
