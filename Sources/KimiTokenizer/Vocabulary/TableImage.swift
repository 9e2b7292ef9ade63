/// Arrays of plain values laid out one after another in one ``RawMemory`` block, after an
/// optional header, each starting on a 64-byte boundary. The same bytes serve in memory and as a
/// cache file, so a cached table is used where it was read, without decoding.
struct TableImage {
    /// The block.
    let memory: RawMemory
    private let starts: [Int]
    private let counts: [Int]

    /// Where each array starts and the block's size, for arrays of `counts` elements of
    /// `strides` bytes after `headerSize` bytes; `nil` if the sizes overflow.
    static func layout(headerSize: Int, counts: [Int], strides: [Int]) -> (starts: [Int], size: Int)? {
        var starts: [Int] = []
        var end = headerSize
        for (count, stride) in zip(counts, strides) {
            let start = (end + 63) & ~63
            let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
            guard count >= 0, !overflow, bytes <= Int.max - start else { return nil }
            starts.append(start)
            end = start + bytes
        }
        return (starts, end)
    }

    /// Copies `arrays` into a new block, then lets `header` write the first `headerSize` bytes
    /// (it is given the whole block, to hash the arrays).
    init(_ arrays: [TableImageArray], headerSize: Int = 0, header: (UnsafeMutableRawBufferPointer) -> Void = { _ in }) {
        let counts = arrays.map(\.count)
        // The layout of arrays already in memory cannot overflow.
        let (starts, size) = Self.layout(headerSize: headerSize, counts: counts, strides: arrays.map { $0.stride }) ?? ([], 0)
        memory = RawMemory(byteCount: size) { block in
            for (array, start) in zip(arrays, starts) { array.copyBytes(to: block.baseAddress.map { $0 + start }) }
            header(block)
        }
        self.starts = starts
        self.counts = counts
    }

    /// A block that already holds arrays of `counts` elements laid out by
    /// ``layout(headerSize:counts:strides:)``; `nil` if its size is not exactly that.
    init?(memory: RawMemory, headerSize: Int, counts: [Int], strides: [Int]) {
        guard let (starts, size) = Self.layout(headerSize: headerSize, counts: counts, strides: strides),
            size == memory.byteCount
        else { return nil }
        self.memory = memory
        self.starts = starts
        self.counts = counts
    }

    /// Array number `index`, typed as the caller expects.
    func buffer<T>(_ index: Int) -> UnsafeBufferPointer<T> {
        memory.buffer(of: T.self, at: starts[index], count: counts[index])
    }
}

/// An array of plain values to copy into a ``TableImage``.
struct TableImageArray {
    let count: Int
    let stride: Int
    private let copy: (UnsafeMutableRawPointer?) -> Void

    init<Element: BitwiseCopyable>(_ array: [Element]) {
        count = array.count
        stride = MemoryLayout<Element>.stride
        copy = { destination in
            array.withUnsafeBytes { source in
                if let destination, let from = source.baseAddress { destination.copyMemory(from: from, byteCount: source.count) }
            }
        }
    }

    func copyBytes(to destination: UnsafeMutableRawPointer?) {
        copy(destination)
    }
}
