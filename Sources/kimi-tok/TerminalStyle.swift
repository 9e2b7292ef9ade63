import Foundation

/// ANSI styling, applied only when enabled.
struct TerminalStyle {
    let enabled: Bool

    /// A terminal, not `TERM=dumb`, and no `NO_COLOR`.
    static var autoEnabled: Bool {
        let environment = ProcessInfo.processInfo.environment
        return Output.isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func special(_ text: String) -> String { wrap(text, "1;35") }
    func dim(_ text: String) -> String { wrap(text, "2") }

    /// Colours the escape sequences in a visible piece so they stand apart from literal text.
    func escapes(_ text: String) -> String {
        guard enabled else { return text }
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if character == "␣" {
                result += wrap("␣", "36")
            } else if character == "\\", let next = iterator.next() {
                result += wrap("\\" + String(next), "36")
            } else {
                result.append(character)
            }
        }
        return result
    }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
