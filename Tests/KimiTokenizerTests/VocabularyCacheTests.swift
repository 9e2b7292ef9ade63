import Foundation
import KimiTokenizer
import Testing

/// The vocabulary cache is used only when it is exactly the file's parse, and every other cache
/// file is ignored and replaced.
@Suite("Vocabulary cache")
struct VocabularyCacheTests {
    /// A fresh cache directory, removed after `body`.
    func withCache(_ body: (VocabularyCache, String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kimi-tok-cache-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(VocabularyCache(directory: directory), directory)
    }

    static let model = VocabularyFileTests.file(extra: ["ab", "abc", "hello", " world", "a longer token than eight bytes"])

    func load(_ data: [UInt8] = model, cache: VocabularyCache) throws -> Vocabulary {
        try Vocabulary(data: data, path: "test.model", cache: cache)
    }

    /// Everything a lookup can see is the same.
    func expectSameTables(_ a: Vocabulary, _ b: Vocabulary) {
        #expect(a.count == b.count)
        #expect(a.longestToken == b.longestToken)
        #expect(a.sha256 == b.sha256)
        for rank in 0..<a.count {
            let bytes = Array(a.bytes(ofRank: rank))
            #expect(bytes == Array(b.bytes(ofRank: rank)))
            #expect(bytes.withUnsafeBufferPointer { b.rank(of: $0) } == rank)
        }
        for missing in ["zz", "abcd", "a longer token than eight bytez"] {
            #expect(Array(missing.utf8).withUnsafeBufferPointer { b.rank(of: $0) } == nil)
        }
    }

    @Test func secondLoadComesFromTheCacheWithTheSameTables() throws {
        try withCache { cache, _ in
            let parsed = try load(cache: cache)
            #expect(!parsed.loadedFromCache)
            let cachePath = try #require(cache.path(forSHA256: parsed.sha256))
            #expect(FileManager.default.fileExists(atPath: cachePath))
            let cached = try load(cache: cache)
            #expect(cached.loadedFromCache)
            expectSameTables(parsed, cached)
            expectSameTables(try load(cache: .disabled), cached)
        }
    }

    @Test func aDamagedByteAnywhereMakesTheCacheUnused() throws {
        try withCache { cache, _ in
            let parsed = try load(cache: cache)
            let path = try #require(cache.path(forSHA256: parsed.sha256))
            let good = try Data(contentsOf: URL(fileURLWithPath: path))
            // Header fields, the checksum, the source hash, counts, padding, then token bytes,
            // offsets, slots, the two-byte ranks and the backtracking tables, and the last byte.
            for position in [
                0, 9, 13, 17, 23, 25, 50, 57, 100, 200, 255, 256, 300,
                good.count / 5, good.count / 3, good.count / 2, good.count * 3 / 4, good.count - 1,
            ] {
                var damaged = good
                damaged[position] ^= 0x01
                try damaged.write(to: URL(fileURLWithPath: path))
                let reloaded = try load(cache: cache)
                #expect(!reloaded.loadedFromCache, "byte \(position)")
                expectSameTables(parsed, reloaded)
                // The damaged file was replaced by a good one.
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good, "byte \(position)")
            }
        }
    }

    @Test func aTruncatedOrExtendedCacheIsUnused() throws {
        try withCache { cache, _ in
            let parsed = try load(cache: cache)
            let path = try #require(cache.path(forSHA256: parsed.sha256))
            let good = try Data(contentsOf: URL(fileURLWithPath: path))
            for changed in [Data(), good.prefix(100), good.prefix(good.count - 4), good + Data([0])] {
                try changed.write(to: URL(fileURLWithPath: path))
                #expect(try !load(cache: cache).loadedFromCache, "\(changed.count) bytes")
            }
            #expect(try load(cache: cache).loadedFromCache)
        }
    }

    @Test func anotherVocabularysCacheFileIsNotUsed() throws {
        try withCache { cache, _ in
            let other = VocabularyFileTests.file(extra: ["ab", "abc", "hello", " world", "a longer token than eight bytex"])
            let first = try load(cache: cache)
            let second = try load(other, cache: cache)
            #expect(first.sha256 != second.sha256)
            let firstPath = try #require(cache.path(forSHA256: first.sha256))
            let secondPath = try #require(cache.path(forSHA256: second.sha256))
            // A stale file under the name of the other vocabulary: right format, wrong source.
            try FileManager.default.removeItem(atPath: secondPath)
            try FileManager.default.copyItem(atPath: firstPath, toPath: secondPath)
            let reloaded = try load(other, cache: cache)
            #expect(!reloaded.loadedFromCache)
            expectSameTables(second, reloaded)
        }
    }

    @Test func writingRemovesOtherFormatVersionsOfTheSameVocabulary() throws {
        try withCache { cache, directory in
            let sha256 = try load(cache: .disabled).sha256
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let old = (directory as NSString).appendingPathComponent("vocabulary-\(sha256).v0.bin")
            let otherVocabulary = (directory as NSString).appendingPathComponent("vocabulary-\(String(repeating: "0", count: 64)).v0.bin")
            for path in [old, otherVocabulary] { try Data("old".utf8).write(to: URL(fileURLWithPath: path)) }
            _ = try load(cache: cache)
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(FileManager.default.fileExists(atPath: otherVocabulary))
            #expect(FileManager.default.fileExists(atPath: try #require(cache.path(forSHA256: sha256))))
        }
    }

    @Test func anUnwritableCacheOnlyCostsTheParse() throws {
        try withCache { _, directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let file = (directory as NSString).appendingPathComponent("a-file")
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let cache = VocabularyCache(directory: (file as NSString).appendingPathComponent("cache"))
            #expect(try !load(cache: cache).loadedFromCache)
            #expect(try !load(cache: cache).loadedFromCache)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a-file"])
        }
    }

    @Test func aRejectedVocabularyWritesNoCache() throws {
        try withCache { cache, directory in
            let missingByte = VocabularyFileTests.file { $0[65] = Data("xy".utf8).base64EncodedString() + " 65" }
            #expect(throws: VocabularyError.self) { try load(missingByte, cache: cache) }
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }

    @Test func theDirectoryComesFromTheEnvironment() {
        #expect(VocabularyCache.standard(environment: ["KIMI_TOK_CACHE_DIR": "/c", "HOME": "/h"]).directory == "/c")
        #expect(VocabularyCache.standard(environment: ["KIMI_TOK_CACHE_DIR": "off", "HOME": "/h"]) == .disabled)
        #expect(VocabularyCache.standard(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).directory == "/x/kimi-tok")
        #expect(VocabularyCache.standard(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]).directory == "/h/.cache/kimi-tok")
        #expect(VocabularyCache.standard(environment: [:]) == .disabled)
    }
}
