import Foundation
import KimiTokenizer

/// Where the chat template comes from: `--template FILE`, else `chat_template.jinja` in the
/// model directory, else the `chat_template` field of `tokenizer_config.json`.
public enum ChatTemplateSource {
    /// No template could be found, or a file could not be read.
    public struct Missing: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The template text and a name for messages.
    public static func load(templatePath: String?, modelDirectory: ModelDirectory) throws -> (source: String, name: String) {
        if let templatePath {
            return (try readText(templatePath), templatePath)
        }
        let jinjaPath = (modelDirectory.path as NSString).appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: jinjaPath) {
            return (try readText(jinjaPath), jinjaPath)
        }
        let configPath = modelDirectory.tokenizerConfigPath
        guard case let .dict(config) = try JSONReader.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: configPath)))) else {
            throw Missing(description: "\(configPath) is not a JSON object")
        }
        switch config[.string("chat_template")] {
        case let .string(text)?:
            return (text, "\(configPath) (chat_template)")
        case let .list(named)?:
            for entry in named.items {
                if case let .dict(item) = entry, item[.string("name")]?.pythonString == "default",
                   case let .string(text)? = item[.string("template")] {
                    return (text, "\(configPath) (chat_template 'default')")
                }
            }
            throw Missing(description: "\(configPath) has named chat templates but none called 'default'")
        default:
            throw Missing(description: "no chat template: pass --template, or put chat_template.jinja or a 'chat_template' field in \(modelDirectory.path)")
        }
    }

    private static func readText(_ path: String) throws -> String {
        let data: [UInt8]
        do {
            data = try InputBytes.read(path)
        } catch {
            throw Missing(description: "cannot read template \(path): \(error.reason)")
        }
        return try UTF8Input.decode(data)
    }
}
