import Foundation
import KimiTokenizer

/// How long loading a `tiktoken.model` takes in-process: reading, hashing and either parsing
/// it or reading its cache file, each the best of several runs.
public struct VocabularyLoadBenchmark: Sendable, Encodable {
    /// Seconds of the fastest load that parsed the file.
    public let parsedSeconds: Double
    /// Seconds of the fastest load from a cache file.
    public let cachedSeconds: Double
    public let runs: Int

    /// Loads `path` `runs` times with no cache, then `runs` times through a cache in a
    /// temporary directory (filled by one load first), and removes that directory.
    public static func measure(path: String, runs: Int = 5) throws -> VocabularyLoadBenchmark {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kimi-tok-load-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = VocabularyCache(directory: directory)
        let parsed = try BestOfRuns.measure(minimumRuns: runs) { _ = try Vocabulary(contentsOf: path, cache: .disabled) }.seconds
        _ = try Vocabulary(contentsOf: path, cache: cache)
        var allCached = true
        let cached = try BestOfRuns.measure(minimumRuns: runs) {
            allCached = try Vocabulary(contentsOf: path, cache: cache).loadedFromCache && allCached
        }.seconds
        guard allCached else { throw VocabularyError.fileUnreadable(path: directory, reason: "the vocabulary cache could not be written there") }
        return VocabularyLoadBenchmark(parsedSeconds: parsed, cachedSeconds: cached, runs: runs)
    }

    enum CodingKeys: String, CodingKey { case parsedSeconds = "parsed_seconds", cachedSeconds = "cached_seconds", runs }
}
