import Dispatch
import Foundation

/// Encodes many texts on all cores, results in input order.
public enum BatchEncoder {
    /// The IDs of every text, as `tokenizer.encode(text, mode:)` gives them, computed in
    /// parallel over `threads` workers (default: one per core).
    public static func encode(_ texts: [String], with tokenizer: KimiTokenizer, mode: EncodeMode = .hf,
                              threads: Int = ProcessInfo.activeProcessorCountOrOne) throws -> [[Int]] {
        try parallelMap(count: texts.count, threads: threads) { index in try tokenizer.encode(texts[index], mode: mode) }
    }

    /// `(0..<count).map(transform)` over `threads` workers, results in index order; the first
    /// error (by index) is thrown after all work is done.
    public static func parallelMap<T: Sendable>(count: Int, threads: Int = ProcessInfo.activeProcessorCountOrOne,
                                                _ transform: @Sendable (Int) throws -> T) throws -> [T] {
        let results = ResultSlots<T>(count: count)
        let workers = max(1, min(threads, count))
        // Interleaved blocks keep the load even when items vary in size.
        let blockSize = max(1, min(256, count / (workers * 8)))
        let blocks = (count + blockSize - 1) / blockSize
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var block = worker
            while block < blocks {
                for index in block * blockSize..<min(count, (block + 1) * blockSize) {
                    results.store(Result { try transform(index) }, at: index)
                }
                block += workers
            }
        }
        return try results.values()
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
                guard let slot else { throw CancellationError() } // every slot is filled before this
                return try slot.get()
            }
        }
    }
}

extension ProcessInfo {
    /// The number of active processors, at least 1.
    public static var activeProcessorCountOrOne: Int { max(1, processInfo.activeProcessorCount) }
}
