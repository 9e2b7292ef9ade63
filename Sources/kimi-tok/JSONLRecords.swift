import Foundation
import KimiChatTemplate
import KimiTokenizer

/// The records of a JSON-lines file: each non-blank line is an object whose `field` is a
/// string, or a bare JSON string.
enum JSONLRecords {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// A non-blank line: its 1-based number and where its bytes are.
    struct Line: Sendable {
        let number: Int
        let range: Range<Int>
    }

    static func lines(_ buffer: UnsafeBufferPointer<UInt8>) -> [Line] {
        var lines: [Line] = []
        guard let base = buffer.baseAddress else { return lines }
        var start = 0
        var number = 1
        while start < buffer.count {
            var end = buffer.count
            if let newline = memchr(base + start, 0x0A, buffer.count - start) {
                end = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
            }
            if buffer[start..<end].contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
                lines.append(Line(number: number, range: start..<end))
            }
            number += 1
            start = end + 1
        }
        return lines
    }

    /// The text of one record of `input`.
    static func text(of line: Line, in input: MappedInput, field: String) throws -> String {
        let value: Value
        do {
            value = try JSONReader.parse(Array(input.bytes[line.range]))
        } catch {
            throw Invalid(description: "line \(line.number): \(error)")
        }
        switch value {
        case let .string(text):
            return text
        case let .dict(record):
            guard case let .string(text)? = record[.string(field)] else {
                throw Invalid(description: "line \(line.number): no string field '\(field)'")
            }
            return text
        default:
            throw Invalid(description: "line \(line.number): a record must be a JSON object or string, not \(value.typeName)")
        }
    }
}
