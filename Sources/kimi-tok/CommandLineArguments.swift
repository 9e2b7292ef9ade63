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
            let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                                                  count: strlen(pointer)))
            if let offset = UTF8Input.firstInvalidOffset(bytes) {
                throw InvalidArgument(index: index, byteOffset: offset)
            }
        }
    }
}
