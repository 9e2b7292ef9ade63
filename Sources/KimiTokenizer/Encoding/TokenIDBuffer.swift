/// Where an encode call writes its token IDs.
///
/// No encoding has more IDs than its input has bytes (every token, special or not, spans at
/// least one byte), so for inputs up to ``directLimit`` bytes the IDs are written straight into
/// the storage of the array that is returned, sized for that bound: an append is one compare
/// and one store, with none of the work `Array.append` does on every call (a uniqueness check
/// of its storage, then a capacity check), and nothing is copied. Pages of the bound that are
/// never written are never touched. Larger inputs start the same way and move to a buffer that
/// grows (copied into the array at the end) rather than reserve eight bytes of address space
/// per input byte without bound.
struct TokenIDBuffer: ~Copyable {
    /// The largest input whose IDs are written into the returned array directly: 16 MB, for
    /// 128 MB of address space at most: below it, no move, doubling or copy back.
    static let directLimit = 1 << 24

    /// The smallest buffer (in IDs, for inputs of 1 MiB and up) that asks for huge pages (see
    /// ``HugePages``): faulting in 4 KB pages is a visible share of encoding large inputs.
    static let hugePageThreshold = 1 << 20

    private var storage: UnsafeMutablePointer<Int>
    private var capacity: Int
    /// Whether `storage` was allocated here (after the first buffer filled up).
    private var ownsStorage = false
    /// The number of IDs appended.
    private(set) var count = 0

    private init(_ memory: UnsafeMutableBufferPointer<Int>) {
        storage = memory.baseAddress.unsafelyUnwrapped
        capacity = memory.count
    }

    deinit {
        if ownsStorage { storage.deallocate() }
    }

    /// The array of the IDs that `body` appends, for an input of `inputBytes` bytes.
    static func withIDs<Failure: Error>(
        inputBytes: Int,
        _ body: (inout TokenIDBuffer) throws(Failure) -> Void
    ) throws(Failure) -> [Int] {
        var failure: Failure?
        var moved: [Int]?
        let ids = [Int](unsafeUninitializedCapacity: max(1, min(inputBytes, directLimit))) { memory, initialized in
            if memory.count >= hugePageThreshold { HugePages.advise(UnsafeMutableRawBufferPointer(memory)) }
            var buffer = TokenIDBuffer(memory)
            do throws(Failure) {
                try body(&buffer)
            } catch {
                failure = error
            }
            if failure == nil, buffer.ownsStorage { moved = Array(buffer.ids(from: 0)) }
            initialized = failure == nil && !buffer.ownsStorage ? buffer.count : 0
        }
        if let failure { throw failure }
        return moved ?? ids
    }

    @inline(__always)
    mutating func append(_ id: Int) {
        if count == capacity { grow() }
        storage[count] = id
        count += 1
    }

    /// The last ID; the buffer must not be empty.
    @inline(__always)
    var last: Int { storage[count - 1] }

    /// Removes and returns the last ID; the buffer must not be empty.
    @inline(__always)
    mutating func removeLast() -> Int {
        count -= 1
        return storage[count]
    }

    /// Drops the IDs from `newCount` on.
    @inline(__always)
    mutating func truncate(to newCount: Int) {
        count = min(count, newCount)
    }

    /// The IDs from `start` on, valid until the next change.
    @inline(__always)
    func ids(from start: Int) -> UnsafeBufferPointer<Int> {
        UnsafeBufferPointer(start: storage + start, count: count - start)
    }

    /// Moves the IDs to a buffer of twice the capacity, owned here.
    @inline(never)
    private mutating func grow() {
        let larger = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        if ownsStorage { storage.deallocate() }
        storage = larger
        capacity *= 2
        ownsStorage = true
    }
}
