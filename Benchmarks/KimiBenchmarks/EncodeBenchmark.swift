import Foundation
import KimiTokenizer

/// Encode throughput of one text, measured in-process: the best of several runs.
public struct EncodeBenchmark: Sendable, Encodable {
    public let bytes: Int
    public let tokens: Int
    /// Seconds of the fastest run.
    public let seconds: Double
    public let runs: Int

    /// Megabytes (10^6 bytes) per second of the fastest run.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1e6 : 0 }

    /// Encodes `text` at least `minimumRuns` times and for at least `minimumSeconds` in all.
    public static func measure(
        _ tokenizer: KimiTokenizer, text: String, mode: EncodeMode,
        minimumRuns: Int = 3, minimumSeconds: Double = 1
    ) throws -> EncodeBenchmark {
        var tokens = 0
        let (best, runs) = try BestOfRuns.measure(minimumRuns: minimumRuns, minimumSeconds: minimumSeconds) {
            tokens = try tokenizer.encode(text, mode: mode).count
        }
        return EncodeBenchmark(bytes: text.utf8.count, tokens: tokens, seconds: best, runs: runs)
    }

    enum CodingKeys: String, CodingKey { case bytes, tokens = "count", seconds, runs, megabytesPerSecond = "mb_per_s" }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(runs, forKey: .runs)
        try container.encode(megabytesPerSecond, forKey: .megabytesPerSecond)
    }
}
