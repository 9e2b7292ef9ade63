import Foundation
import KimiIO

/// Writes whole outputs at once, so a failure never leaves half an answer on stdout.
enum Output {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardOutput(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// One JSON value as a line, keys in a stable order.
    static func json(_ value: some Encodable) throws {
        standardOutput(bytes: try JSONWriter.encode(value) + [UInt8(ascii: "\n")])
    }

    /// Whether stdout is a terminal.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
}
