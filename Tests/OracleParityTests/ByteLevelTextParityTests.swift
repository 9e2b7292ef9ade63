import Foundation
import KimiTokenizer
import TestSupport
import Testing

/// `token_strs` spell each token's bytes in GPT-2's byte-level alphabet, as Kimi's Hugging Face
/// class does: the table is transformers' own `bytes_to_unicode`, byte for byte.
enum ByteLevelTextParityTests {
}

extension LiveTokenizerParity {
    @Test func alphabetIsTransformersBytesToUnicode() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Reference.python)
        process.arguments = [
            "-c",
            "import json; from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode as b; t = b(); print(json.dumps([t[i] for i in range(256)]))",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let table = try #require(try JSONSerialization.jsonObject(with: output) as? [String])
        #expect(table.count == 256)
        #expect(table == ByteLevelText.alphabet.map(String.init))
        #expect(ByteLevelText.string(Array(" \n".utf8)) == "ĠĊ")
    }
}
