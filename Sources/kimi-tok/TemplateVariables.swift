import KimiChatTemplate
import KimiIO

/// Parses `--variable NAME=JSON` options.
enum TemplateVariables {
    static func parse(_ options: [String]) throws -> [String: Value] {
        var variables: [String: Value] = [:]
        for option in options {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw KimiError(.badInput, "--variable '\(option)' is not NAME=JSON")
            }
            let name = String(option[..<equals])
            do {
                variables[name] = try JSONReader.parseValue(Array(option[option.index(after: equals)...].utf8))
            } catch {
                throw KimiError(.badInput, "--variable \(name): the value is not JSON (\(error)); quote strings, e.g. \(name)='\"text\"'")
            }
        }
        return variables
    }
}
