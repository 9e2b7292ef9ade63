import Foundation
import KimiTokenizer
import Testing

/// `tiktoken` mode cuts special-token names out of the text: checked against a plain search,
/// position by position, for names with few first bytes (found with `memchr`) and with many
/// (every byte looked at), on seeded texts dense with names, their fragments and their first bytes.
@Suite("Special-token scan")
struct SpecialTokenScanTests {
    /// A model directory with a small vocabulary and these special-token names from id 256 on,
    /// removed after `body`.
    func withTokenizer(names: [String], _ body: (KimiTokenizer) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kimi-tok-specials-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = VocabularyFileTests.file(extra: ["ab", "<|", "|>", "[[", "ab<"])
        try Data(model).write(to: directory.appendingPathComponent("tiktoken.model"))
        let firstID = 256 + 5
        let decoder = Dictionary(
            uniqueKeysWithValues: names.enumerated().map { offset, name in
                ("\(firstID + offset)", ["content": name])
            })
        let config = try JSONSerialization.data(withJSONObject: ["added_tokens_decoder": decoder])
        try config.write(to: directory.appendingPathComponent("tokenizer_config.json"))
        try body(try KimiTokenizer.load(modelDirectory: directory.path, cache: .disabled))
    }

    /// The IDs by a plain search: at each byte the longest name that starts there, else on.
    func referenceIDs(_ text: String, _ tokenizer: KimiTokenizer) throws -> [Int] {
        let bytes = Array(text.utf8)
        let names = tokenizer.specialTokens.ids.map { (tokenizer.specialTokens.name(of: $0)!, $0) }
            .map { (Array($0.utf8), $1) }.sorted { $0.0.count > $1.0.count }
        var ids: [Int] = [], segmentStart = 0, position = 0
        func flush(_ end: Int) throws {
            ids += try tokenizer.encode(String(decoding: bytes[segmentStart..<end], as: UTF8.self), mode: .ordinary)
        }
        while position < bytes.count {
            if let (name, id) = names.first(where: { bytes[position...].starts(with: $0.0) }) {
                try flush(position)
                ids.append(id)
                position += name.count
                segmentStart = position
            } else {
                position += 1
            }
        }
        try flush(bytes.count)
        return ids
    }

    static let fewFirstBytes = ["<|im_end|>", "<|im_user|>", "[EOS]", "[BOS]", "<|x|>"]
    static let manyFirstBytes = ["<|im_end|>", "[EOS]", "{tool}", "#END#", "@@", "~~sep~~", "\u{1F600}end"]

    @Test("names found as a plain search finds them", arguments: [fewFirstBytes, manyFirstBytes])
    func namesMatchAPlainSearch(names: [String]) throws {
        try withTokenizer(names: names) { tokenizer in
            let fragments =
                names + names.map { String($0.dropLast()) } + names.map { String($0.prefix(2)) }
                + ["<", "[", "|", "{", "#", "@", "~", "\u{1F600}", "ab", "x", " ", "\n", "中", "<|reserved_token_300|>"]
            var state: UInt64 = 0x2545_F491_4F6C_DD1D
            func below(_ bound: Int) -> Int {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return Int(state % UInt64(bound))
            }
            for _ in 0..<400 {
                let text = (0..<below(60)).map { _ in fragments[below(fragments.count)] }.joined()
                let expected = try referenceIDs(text, tokenizer)
                #expect(try tokenizer.encode(text, mode: .tiktoken) == expected, "\(text.debugDescription)")
            }
        }
    }
}
