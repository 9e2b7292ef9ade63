import KimiInspector
import Testing

@Suite("Token diff")
struct TokenDiffTests {
    /// Length of the longest common subsequence, by dynamic programming.
    static func lcs(_ a: [Int], _ b: [Int]) -> Int {
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var previous = 0
            for (j, y) in b.enumerated() {
                let saved = row[j + 1]
                row[j + 1] = x == y ? previous + 1 : max(row[j + 1], row[j])
                previous = saved
            }
        }
        return row[b.count]
    }

    @Test("the edit script rebuilds both sides and is minimal", arguments: 0..<300)
    func randomPairs(seed: Int) {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ bound: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(bound))
        }
        let a = (0..<next(40)).map { _ in next(5) }
        var b = a
        for _ in 0..<next(8) {
            switch next(3) {
            case 0 where !b.isEmpty: b.remove(at: next(b.count))
            case 1: b.insert(next(5), at: next(b.count + 1))
            default: if !b.isEmpty { b[next(b.count)] = next(5) }
            }
        }
        let diff = TokenDiff(reference: a, engine: b)
        var rebuiltA: [Int] = [], rebuiltB: [Int] = [], equal = 0
        for operation in diff.operations {
            switch operation {
            case let .equal(r, e):
                #expect(a[r] == b[e])
                rebuiltA.append(a[r]); rebuiltB.append(b[e]); equal += 1
            case let .delete(r): rebuiltA.append(a[r])
            case let .insert(e): rebuiltB.append(b[e])
            }
        }
        #expect(rebuiltA == a)
        #expect(rebuiltB == b)
        #expect(equal == Self.lcs(a, b))
    }

    @Test func tooManyEditsStillAlignsBothEnds() {
        let a = [1, 2] + Array(repeating: 7, count: 50) + [3]
        let b = [1, 2] + Array(repeating: 8, count: 60) + [3]
        let diff = TokenDiff(reference: a, engine: b, maximumEdits: 10)
        #expect(diff.operations.first == .equal(reference: 0, engine: 0))
        #expect(diff.operations.last == .equal(reference: a.count - 1, engine: b.count - 1))
    }
}
