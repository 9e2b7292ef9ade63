import Foundation
import KimiTokenizer
import TestSupport

/// Paths and shared processes for the differential tests: the reference oracle in
/// `../shared/oracle`, run with the venv that `scripts/setup --oracle` makes.
enum Reference {
    static let checkoutRoot = TestEnvironment.checkoutRoot
    static let sharedDirectory = TestEnvironment.sharedDirectory

    static let referenceModelDirectory = sharedDirectory.appendingPathComponent("vocab/kimi-k2").path
    static let corpusDirectory = sharedDirectory.appendingPathComponent("corpus")

    static let python = TestEnvironment.oraclePython

    /// The one oracle process of this test run.
    static let oracle: Result<JSONLinesProcess, Error> = Result { try oracleProcess(modelDirectory: referenceModelDirectory) }

    /// A model directory of `../shared/vocab` by name (`kimi-k2.5`, `kimi-k3`).
    static func modelDirectory(_ name: String) -> String {
        sharedDirectory.appendingPathComponent("vocab/\(name)").path
    }

    /// The oracle process started with the K2.5 model directory (one per test run).
    static let k25Oracle: Result<JSONLinesProcess, Error> = Result { try oracleProcess(modelDirectory: modelDirectory("kimi-k2.5")) }

    /// The oracle process started with the K3 model directory (one per test run).
    static let k3Oracle: Result<JSONLinesProcess, Error> = Result { try oracleProcess(modelDirectory: modelDirectory("kimi-k3")) }

    /// The tokenizer of the K2.5 model directory (its special tokens name `<think>`).
    static let k25Tokenizer: Result<KimiTokenizer, Error> = Result {
        try KimiTokenizer.load(
            modelDirectory: modelDirectory("kimi-k2.5"), strict: true,
            cache: VocabularyCache(directory: checkoutRoot.appendingPathComponent(".build/test-vocabulary-cache").path))
    }

    private static func oracleProcess(modelDirectory: String) throws -> JSONLinesProcess {
        try requireFile(python, hint: "run scripts/setup --oracle to create the oracle venv")
        let script = sharedDirectory.appendingPathComponent("oracle/kimi_oracle.py").path
        try requireFile(script, hint: "the differential tests need ../shared/oracle beside the checkout")
        return try JSONLinesProcess(name: "kimi_oracle.py", executable: python, arguments: [script, "--model-dir", modelDirectory])
    }

    /// The one pre-tokenizer probe process of this test run.
    static let probe: Result<JSONLinesProcess, Error> = Result {
        try requireFile(python, hint: "run scripts/setup --oracle to create the oracle venv")
        let script = checkoutRoot.appendingPathComponent("Tests/OracleParityTests/pretokenizer_probe.py").path
        let oracleScript = sharedDirectory.appendingPathComponent("oracle/kimi_oracle.py").path
        try requireFile(oracleScript, hint: "the probe takes Kimi's pattern from ../shared/oracle/kimi_oracle.py")
        return try JSONLinesProcess(
            name: "pretokenizer_probe.py", executable: python,
            arguments: [script, "--oracle", oracleScript])
    }

    /// The tokenizer under test, loaded once from the test vocabulary (`Vocab/kimi-k2`, the same
    /// file as the reference model directory's, else that directory).
    static let tokenizer: Result<KimiTokenizer, Error> = Result {
        try KimiTokenizer.load(
            modelDirectory: TestEnvironment.vocabularyDirectory ?? referenceModelDirectory, strict: true,
            cache: VocabularyCache(directory: checkoutRoot.appendingPathComponent(".build/test-vocabulary-cache").path))
    }

    private static func requireFile(_ path: String, hint: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw OracleFailure(message: "\(path) is missing: \(hint)")
        }
    }

    // MARK: Requests

    /// The oracle's IDs for each text in `mode`.
    static func encode(_ texts: [String], mode: EncodeMode) throws -> [[Int]] {
        let answers = try oracle.get().batch(texts.map { ["op": "encode", "text": $0, "mode": mode.rawValue] })
        return try answers.enumerated().map { index, answer in
            guard let ids = answer["ids"] as? [Int] else {
                throw OracleFailure(message: "oracle failed to encode text \(index): \(answer["error"] ?? answer)")
            }
            return ids
        }
    }

    /// The oracle's decoded text and per-token hex bytes for each ID list.
    static func decode(_ idLists: [[Int]]) throws -> [(text: String, bytesHex: [String])] {
        let answers = try oracle.get().batch(idLists.map { ["op": "decode", "ids": $0] })
        return try answers.map { answer in
            guard let text = answer["text"] as? String, let hex = answer["bytes_hex"] as? [String] else {
                throw OracleFailure(message: "oracle failed to decode: \(answer["error"] ?? answer)")
            }
            return (text, hex)
        }
    }

    /// tiktoken's pieces for each string (see pretokenizer_probe.py).
    static func pieces(_ strings: [String]) throws -> [[String]] {
        let answers = try probe.get().batch([["strings": strings]])
        guard let pieces = answers.first?["pieces"] as? [[String]], pieces.count == strings.count else {
            throw OracleFailure(message: "the probe answered something unexpected")
        }
        return pieces
    }
}
