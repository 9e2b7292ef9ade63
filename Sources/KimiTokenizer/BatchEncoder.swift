import Dispatch
import Foundation

/// Encodes many texts on all cores, results in input order.
public enum BatchEncoder {
    /// The IDs of every text, as `tokenizer.encode(text, mode:)` gives them, computed in
    /// parallel over `threads` workers (default: one per core).
    public static func encode(
        _ texts: [String], with tokenizer: KimiTokenizer, mode: EncodeMode = .hf,
        threads: Int = ProcessInfo.activeProcessorCountOrOne
    ) throws -> [[Int]] {
        try parallelMap(count: texts.count, threads: threads) { index in try tokenizer.encode(texts[index], mode: mode) }
    }

    /// `(0..<count).map(transform)` over `threads` workers, results in index order; the first
    /// error (by index) is thrown after all work is done.
    ///
    /// Items are handed out in blocks of `itemsPerBlock`, or by default of up to 256 items, as
    /// many as keep eight blocks per worker: pass 1 for items that are each much work.
    public static func parallelMap<T: Sendable>(
        count: Int, threads: Int = ProcessInfo.activeProcessorCountOrOne,
        itemsPerBlock: Int? = nil,
        _ transform: @Sendable (Int) throws -> T
    ) throws -> [T] {
        let results = ResultSlots<T>(count: count)
        let workers = max(1, min(threads, count))
        // Blocks are handed out in order to whichever worker is free, so a slow record or a
        // worker that starts late does not leave the others idle at the end.
        let blockSize = max(1, itemsPerBlock ?? min(256, count / (workers * 8)))
        let blocks = BlockDispenser(count: (count + blockSize - 1) / blockSize)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let block = blocks.next() {
                for index in block * blockSize..<min(count, (block + 1) * blockSize) {
                    results.store(Result { try transform(index) }, at: index)
                }
            }
        }
        return try results.values()
    }

    /// Hands out block numbers `0..<count`, each once, to any thread.
    private final class BlockDispenser: @unchecked Sendable {
        // Sendable: `taken` is only read and written under `lock`.
        private let lock = NSLock()
        private let count: Int
        private var taken = 0

        init(count: Int) { self.count = count }

        func next() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard taken < count else { return nil }
            taken += 1
            return taken - 1
        }
    }

    /// One slot per item; each is written by exactly one worker, then read after all finish.
    private final class ResultSlots<T>: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Result<T, Error>?>

        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }

        deinit {
            slots.deinitialize()
            slots.deallocate()
        }

        func store(_ result: Result<T, Error>, at index: Int) { slots[index] = result }

        func values() throws -> [T] {
            try slots.map { slot in
                guard let slot else { throw CancellationError() }  // every slot is filled before this
                return try slot.get()
            }
        }
    }
}

extension ProcessInfo {
    /// The number of active processors, at least 1.
    public static var activeProcessorCountOrOne: Int { max(1, processInfo.activeProcessorCount) }
}
