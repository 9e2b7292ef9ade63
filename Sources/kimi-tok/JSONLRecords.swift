import Foundation
import KimiChatTemplate
import KimiIO
import KimiTokenizer

/// The records of a JSON-lines file: each non-blank line is an object whose `field` is a
/// string, or a bare JSON string.
///
/// The file is cut into chunks of whole lines that workers split into lines themselves, so no
/// pass over the whole file (with the first touch of every page) runs before the work is
/// shared.
enum JSONLRecords {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// A record that is not valid: where its line starts, and why. The line's number is counted
    /// only when the error is reported (``numbered(in:)``), as workers see only their chunk.
    struct InvalidRecord: Error {
        let lineStart: Int
        let reason: String

        /// The error with its 1-based line number in `buffer`.
        func numbered(in buffer: UnsafeBufferPointer<UInt8>) -> Invalid {
            Invalid(description: "line \(JSONLRecords.newlines(in: buffer, before: lineStart) + 1): \(reason)")
        }
    }

    /// The byte ranges, of about `chunkBytes` each, that `buffer` is cut into: each ends just
    /// after a newline (or at the end of the buffer), so each holds whole lines.
    static func chunks(of buffer: UnsafeBufferPointer<UInt8>, chunkBytes: Int = 1 << 18) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        while start < buffer.count {
            let end = start + chunkBytes >= buffer.count ? buffer.count : lineEnd(in: buffer, from: start + chunkBytes - 1)
            chunks.append(start..<end)
            start = end
        }
        return chunks
    }

    /// Calls `body` with the text of each record in `chunk` of `input`, in order.
    static func forEachText(in chunk: Range<Int>, of input: MappedInput, field: String, _ body: (String) throws -> Void) throws {
        let buffer = input.bytes
        var start = chunk.lowerBound
        while start < chunk.upperBound {
            let next = lineEnd(in: buffer, from: start)
            let line = buffer[start..<(buffer[next - 1] == 0x0A ? next - 1 : next)]
            if line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
                try body(try text(of: Array(line), lineStart: start, field: field))
            }
            start = next
        }
    }

    /// The text of one record.
    private static func text(of line: [UInt8], lineStart: Int, field: String) throws -> String {
        let value: Value
        do {
            value = try JSONReader.parseValue(line)
        } catch {
            throw InvalidRecord(lineStart: lineStart, reason: "\(error)")
        }
        switch value {
        case let .string(text):
            return text
        case let .dict(record):
            guard case let .string(text)? = record[.string(field)] else {
                throw InvalidRecord(lineStart: lineStart, reason: "no string field '\(field)'")
            }
            return text
        default:
            throw InvalidRecord(lineStart: lineStart, reason: "a record must be a JSON object or string, not \(value.typeName)")
        }
    }

    /// The index just after the first newline at or after `index`, or the end of `buffer`.
    private static func lineEnd(in buffer: UnsafeBufferPointer<UInt8>, from index: Int) -> Int {
        guard let base = buffer.baseAddress, index < buffer.count,
            let newline = memchr(base + index, 0x0A, buffer.count - index)
        else { return buffer.count }
        return UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
    }

    /// The number of newlines in `buffer` before `offset`.
    private static func newlines(in buffer: UnsafeBufferPointer<UInt8>, before offset: Int) -> Int {
        buffer[..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
