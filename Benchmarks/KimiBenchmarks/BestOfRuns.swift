import Foundation

/// Runs a body repeatedly and keeps the fastest run, the way the benchmarks measure.
enum BestOfRuns {
    /// Runs `body` at least `minimumRuns` times and for at least `minimumSeconds` in all; the
    /// seconds of the fastest run and the number of runs.
    static func measure(
        minimumRuns: Int, minimumSeconds: Double = 0,
        _ body: () throws -> Void
    ) rethrows -> (seconds: Double, runs: Int) {
        var best = Double.infinity
        var runs = 0
        var total = 0.0
        while runs < max(minimumRuns, 1) || total < minimumSeconds {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, elapsed)
            total += elapsed
            runs += 1
        }
        return (best, runs)
    }
}
