import Foundation
import KimiTesting
import TestSupport
import Testing

/// An installed `kimi-tok` knows nothing of the source tree it was built from: a copy in another
/// directory finds its vocabulary in the user data directory, and says how to fill it when empty.
@Suite("installed binary", .needsVocabulary)
struct InstalledBinaryTests {
    /// The executable copied into a fresh directory.
    func copiedExecutable() throws -> String {
        let directory = try CLI.temporaryDirectory()
        let copy = directory.appendingPathComponent("kimi-tok").path
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: copy)
        return copy
    }

    /// A model directory holding the shared K2 vocabulary under `<data>/kimi-tok/models/kimi-k2`.
    func dataDirectory(filled: Bool) throws -> URL {
        let data = try CLI.temporaryDirectory()
        guard filled else { return data }
        let models = data.appendingPathComponent("kimi-tok/models/kimi-k2")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        for file in ["tiktoken.model", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: CLI.sharedVocabulary + "/" + file, toPath: models.appendingPathComponent(file).path)
        }
        return data
    }

    @Test func aCopiedBinaryFindsItsVocabularyInTheUserDataDirectory() throws {
        let binary = try copiedExecutable()
        let data = try dataDirectory(filled: true)
        let result = try CLI.run(
            ["encode", "Hello <|im_end|>"], executable: binary,
            environment: ["KIMI_TOK_MODEL_DIR": "", "XDG_DATA_HOME": data.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output == "19180 220 163586\n")
    }

    @Test func anEmptyUserDataDirectorySaysHowToFillIt() throws {
        let binary = try copiedExecutable()
        let data = try dataDirectory(filled: false)
        let result = try CLI.run(
            ["encode", "Hello"], executable: binary,
            environment: ["KIMI_TOK_MODEL_DIR": "", "XDG_DATA_HOME": data.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(data.path + "/kimi-tok/models/kimi-k2"))
        #expect(result.stderr.contains("scripts/setup"))
    }
}

/// `KimiTesting`'s reference and `kimi-tok render` come from the one pipeline: the same template,
/// special-token variables and family, so the same IDs.
@Suite("KimiTesting reference equals kimi-tok render", .needsVocabulary)
struct KimiTestingReferenceTests {
    /// A model directory whose template prints the special-token variables, as some do.
    func modelDirectory(template: String) throws -> String {
        let directory = try CLI.temporaryDirectory()
        for file in ["tiktoken.model", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: CLI.sharedVocabulary + "/" + file, toPath: directory.appendingPathComponent(file).path)
        }
        try Data(template.utf8).write(to: directory.appendingPathComponent("chat_template.jinja"))
        return directory.path
    }

    static let template = """
        {{ bos_token }}{% for m in messages %}<|im_{{ m.role }}|>{{ m.role }}<|im_middle|>{{ m.content }}{{ eos_token }}<|im_end|>{% endfor %}\
        {% if add_generation_prompt %}<|im_assistant|>assistant<|im_middle|>{% endif %}
        """

    @Test func sameIDsWithATemplateThatPrintsSpecialTokens() throws {
        let directory = try modelDirectory(template: Self.template)
        let messages = #"[{"role": "user", "content": "Hi"}]"#
        let file = try CLI.temporaryDirectory().appendingPathComponent("messages.json")
        try Data(messages.utf8).write(to: file)
        let rendered = try CLI.run(["render", "--messages", file.path, "--json", "--model-dir", directory])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: rendered.stdout) as? [String: Any])
        let cliIDs = try #require(object["ids"] as? [Int])
        #expect((object["prompt"] as? String)?.hasPrefix("[BOS]<|im_user|>") == true)
        let kimi = try KimiPromptExpectations(modelDirectory: directory)
        #expect(try kimi.referenceIDs(messagesJSON: Array(messages.utf8)) == cliIDs)
        #expect(
            try kimi.referenceIDs(messagesJSON: Array(messages.utf8), templateSource: Self.template) == cliIDs,
            "a template given as text still gets the directory's special-token variables")
    }
}
