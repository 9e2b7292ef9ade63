/// An alignment of two ID sequences: Myers' shortest edit script, grouped into hunks.
public struct TokenDiff: Sendable {
    public enum Operation: Sendable, Equatable {
        case equal(reference: Int, engine: Int)
        case delete(reference: Int)
        case insert(engine: Int)
    }

    /// Edits turning the reference into the engine stream, as positions into each.
    public let operations: [Operation]

    /// Aligns `reference` and `engine`; beyond `maximumEdits` edits it gives up on the middle
    /// and reports it as one replaced block (still exact at both ends).
    public init(reference: [Int], engine: [Int], maximumEdits: Int = 4_000) {
        var prefix = 0
        while prefix < reference.count, prefix < engine.count, reference[prefix] == engine[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < reference.count - prefix, suffix < engine.count - prefix,
            reference[reference.count - 1 - suffix] == engine[engine.count - 1 - suffix]
        { suffix += 1 }
        let a = Array(reference[prefix..<reference.count - suffix])
        let b = Array(engine[prefix..<engine.count - suffix])
        var operations = (0..<prefix).map { Operation.equal(reference: $0, engine: $0) }
        let middle =
            Self.myers(a, b, maximumEdits: maximumEdits)
            ?? (a.indices.map { .delete(reference: $0) } + b.indices.map { .insert(engine: $0) })
        for operation in middle {
            switch operation {
            case let .equal(r, e): operations.append(.equal(reference: r + prefix, engine: e + prefix))
            case let .delete(r): operations.append(.delete(reference: r + prefix))
            case let .insert(e): operations.append(.insert(engine: e + prefix))
            }
        }
        for offset in 0..<suffix {
            operations.append(.equal(reference: reference.count - suffix + offset, engine: engine.count - suffix + offset))
        }
        self.operations = operations
    }

    /// Myers' O((N+M)D) greedy algorithm with the trace kept for the backtrack.
    private static func myers(_ a: [Int], _ b: [Int], maximumEdits: Int) -> [Operation]? {
        let n = a.count, m = b.count
        let limit = min(n + m, maximumEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n, y >= m { return backtrack(trace, d, n, m, offset) }
            }
        }
        return nil
    }

    /// Walks the trace back from (n, m); `trace[d]` is the frontier before round `d`.
    private static func backtrack(_ trace: [[Int]], _ depth: Int, _ n: Int, _ m: Int, _ offset: Int) -> [Operation] {
        var operations: [Operation] = []
        var x = n, y = m
        for d in stride(from: depth, through: 0, by: -1) {
            let previous = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1])) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : previous[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1; y -= 1
                operations.append(.equal(reference: x, engine: y))
            }
            if d > 0 {
                if x == previousX { operations.append(.insert(engine: y - 1)) } else { operations.append(.delete(reference: x - 1)) }
                x = previousX; y = previousY
            }
        }
        return operations.reversed()
    }
}
