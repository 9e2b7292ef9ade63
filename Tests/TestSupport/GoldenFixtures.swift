import Foundation

/// The golden fixtures in `Tests/Fixtures` (made by `scripts/generate-fixtures`) and the model
/// directories the tests run on without `../shared`: Kimi K2 is `Vocab/kimi-k2`; Kimi K2.5 and
/// K3 are built beside it, once per process, from K2's files and what `families.json` says each
/// names differently (they share `tiktoken.model`).
public enum GoldenFixtures {
    public static let directory = TestEnvironment.checkoutRoot.appendingPathComponent("Tests/Fixtures")

    /// A fixture file, parsed.
    public static func load(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)), options: [.fragmentsAllowed])
    }

    /// A fixture file that is a list of cases.
    public static func cases(_ name: String) throws -> [[String: Any]] {
        guard let cases = try load(name) as? [[String: Any]] else { throw Failure("\(name) is not a list of objects") }
        return cases
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The model directory `name` (`kimi-k2`, `kimi-k2.5`, `kimi-k3`): the shared one when
    /// `shared` is true and `../shared` is there, else the one built from the fixtures.
    public static func modelDirectory(_ name: String, shared: Bool = false) throws -> String {
        if shared, TestEnvironment.hasShared { return TestEnvironment.sharedDirectory.appendingPathComponent("vocab/\(name)").path }
        guard let k2 = TestEnvironment.vocabularyDirectory else { throw Failure("no Kimi K2 vocabulary (scripts/setup)") }
        if name == "kimi-k2" { return k2 }
        return try built.get()[name] ?? { throw Failure("no model '\(name)' in families.json") }()
    }

    /// Every model directory, by name.
    public static func modelDirectories() throws -> [String: String] {
        var all = try built.get()
        all["kimi-k2"] = try modelDirectory("kimi-k2")
        return all
    }

    private static let built: Result<[String: String], any Error> = Result {
        guard let k2 = TestEnvironment.vocabularyDirectory else { throw Failure("no Kimi K2 vocabulary (scripts/setup)") }
        guard let families = try load("families.json") as? [String: [String: Any]] else { throw Failure("families.json is not an object") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-golden-models-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: root)
        let base = URL(fileURLWithPath: k2)
        guard var k2Config = try JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("tokenizer_config.json"))) as? [String: Any]
        else { throw Failure("Vocab/kimi-k2/tokenizer_config.json is not an object") }
        var made: [String: String] = [:]
        for (name, family) in families {
            let target = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                at: target.appendingPathComponent("tiktoken.model"), withDestinationURL: base.appendingPathComponent("tiktoken.model"))
            var config = k2Config
            let names = family["special_tokens"] as? [String: String] ?? [:]
            config["added_tokens_decoder"] = names.mapValues { name -> [String: Any] in
                ["content": name, "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true]
            }
            for key in family["drop"] as? [String] ?? [] { config.removeValue(forKey: key) }
            for (key, value) in family["set"] as? [String: Any] ?? [:] { config[key] = value }
            try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: target.appendingPathComponent("tokenizer_config.json"))
            try JSONSerialization.data(withJSONObject: family["config"] ?? [:], options: [.sortedKeys])
                .write(to: target.appendingPathComponent("config.json"))
            made[name] = target.path
        }
        k2Config.removeAll()
        return made
    }
}
