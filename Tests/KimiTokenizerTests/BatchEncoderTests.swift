import Foundation
import KimiTokenizer
import Testing

@Suite("Parallel map")
struct BatchEncoderTests {
    /// How many times each index was transformed.
    private final class Visits: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [Int]
        init(count: Int) { counts = Array(repeating: 0, count: count) }
        func visit(_ index: Int) { lock.withLock { counts[index] += 1 } }
        var all: [Int] { lock.withLock { counts } }
    }

    @Test(arguments: [0, 1, 2, 7, 1000, 5003])
    func everyIndexOnceInOrder(count: Int) throws {
        let settings = [1, 2, 3, 16].flatMap { threads in [nil, 1, 5].map { (threads: threads, itemsPerBlock: $0) } }
        for (threads, itemsPerBlock) in settings {
            let visits = Visits(count: count)
            let results = try BatchEncoder.parallelMap(count: count, threads: threads, itemsPerBlock: itemsPerBlock) { index in
                visits.visit(index)
                // Uneven work: every 97th item is much slower than the rest.
                if index % 97 == 0 { usleep(200) }
                return index * 3
            }
            let label = "count \(count), threads \(threads), items per block \(itemsPerBlock.map(String.init) ?? "default")"
            #expect(results == (0..<count).map { $0 * 3 }, "\(label)")
            #expect(visits.all.allSatisfy { $0 == 1 }, "\(label)")
        }
    }

    private struct Failure: Error, Equatable { let index: Int }

    @Test func theFirstErrorByIndexIsThrown() {
        for threads in [1, 2, 4] {
            #expect(throws: Failure(index: 40)) {
                try BatchEncoder.parallelMap(count: 3000, threads: threads) { index in
                    if index == 40 || index == 2500 { throw Failure(index: index) }
                    return index
                }
            }
        }
    }
}
