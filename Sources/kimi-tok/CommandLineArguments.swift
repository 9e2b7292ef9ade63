import ArgumentParser
import Foundation
import KimiTokenizer

/// Checks the raw bytes of the command line, which Swift would otherwise repair silently.
enum CommandLineArguments {
    struct InvalidArgument: Error, CustomStringConvertible {
        let index: Int
        let byteOffset: Int
        var description: String { "argument \(index) is not valid UTF-8 (byte offset \(byteOffset))" }
    }

    static func requireValidUTF8() throws {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Array(
                UnsafeBufferPointer(
                    start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                    count: strlen(pointer)))
            if let offset = UTF8Input.firstInvalidOffset(bytes) {
                throw InvalidArgument(index: index, byteOffset: offset)
            }
        }
    }

    /// Text that starts with `-` but is no option (`encode "-hi there"`): swift-argument-parser
    /// would read `-hi` as the flags `-h -i` and print the help. Every option of kimi-tok is
    /// long except `-h`, so an argument of one dash and more than one character, or a long one
    /// with a space, is text; say how to pass it.
    struct TextLooksLikeAnOption: Error, CustomStringConvertible {
        let argument: String
        var description: String {
            "'\(argument)' starts with '-' but is not an option; to pass text that starts with '-', put -- before it: kimi-tok COMMAND -- '\(argument)'"
        }
    }

    static func requireNoTextThatLooksLikeAnOption(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) throws {
        for argument in arguments {
            if argument == "--" { return }
            guard argument.hasPrefix("-"), argument != "-" else { continue }
            let isNumber = Int(argument) != nil
            let isShortCluster = !argument.hasPrefix("--") && argument.count > 2
            let hasSpace = argument.contains(where: \.isWhitespace) && !argument.contains("=")
            if (isShortCluster && !isNumber) || hasSpace { throw TextLooksLikeAnOption(argument: argument) }
        }
    }

    /// A hint for swift-argument-parser's "Unknown option" message.
    static func hint(for message: String) -> String {
        message.contains("Unknown option") ? message + " (to pass text that starts with '-', put -- before it)" : message
    }
}

/// Standard input can be read once: two options that both name `-` is a usage error.
enum StandardInputUse {
    static func requireOnce(_ options: KeyValuePairs<String, String?>) throws {
        let readers = options.filter { $0.value == "-" }.map(\.key)
        if readers.count > 1 {
            throw ValidationError("\(readers.joined(separator: " and ")) both read standard input ('-'), which can be read once; give one of them a file")
        }
    }
}
