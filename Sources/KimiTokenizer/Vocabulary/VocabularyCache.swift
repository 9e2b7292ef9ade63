import Foundation

/// Where parsed vocabularies are kept between processes, so that loading one is a read and a
/// hash check instead of a parse.
///
/// A cache file is named by the SHA-256 of the `tiktoken.model` it was parsed from and by the
/// format version, and carries both hashes inside; it is used only when the file hashes to
/// exactly the recorded value and everything in it matches its own SHA-256. A stale, foreign or
/// damaged cache file is ignored and rewritten. Writing is best effort: a cache directory that
/// cannot be created or written only costs the parse.
public struct VocabularyCache: Sendable, Equatable {
    /// The directory, or `nil` when caching is off.
    public let directory: String?

    /// No cache: every load parses the file.
    public static let disabled = VocabularyCache(directory: nil)

    /// The environment variable that chooses the directory; `off` turns caching off.
    public static let environmentVariable = "KIMI_TOK_CACHE_DIR"

    /// A cache in `directory`, created when first written.
    public init(directory: String?) {
        self.directory = directory
    }

    /// `$KIMI_TOK_CACHE_DIR` (`off`: no cache), else `$XDG_CACHE_HOME/kimi-tok`, else
    /// `~/.cache/kimi-tok`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> VocabularyCache {
        if let value = environment[environmentVariable], !value.isEmpty {
            return value == "off" ? .disabled : VocabularyCache(directory: value)
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return VocabularyCache(directory: (xdg as NSString).appendingPathComponent("kimi-tok"))
        }
        if let home = environment["HOME"], !home.isEmpty {
            return VocabularyCache(directory: (home as NSString).appendingPathComponent(".cache/kimi-tok"))
        }
        return .disabled
    }

    /// The cache file for the vocabulary file with this SHA-256.
    public func path(forSHA256 hex: String) -> String? {
        directory.map { ($0 as NSString).appendingPathComponent("vocabulary-\(hex).v\(VocabularyImage.formatVersion).bin") }
    }

    func image(forSHA256 digest: SHA256Digest, hex: String) -> VocabularyImage? {
        path(forSHA256: hex).flatMap { VocabularyImage.read(path: $0, sourceSHA256: digest) }
    }

    /// Writes the image, then removes this vocabulary's files of other format versions.
    func store(_ image: VocabularyImage, hex: String) {
        let files = FileManager.default
        guard let directory, let path = path(forSHA256: hex),
            (try? files.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
            image.save(to: path)
        else { return }
        let current = (path as NSString).lastPathComponent
        for name in (try? files.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix("vocabulary-\(hex).v") && name.hasSuffix(".bin") && name != current {
            try? files.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }
}
