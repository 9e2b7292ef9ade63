import KimiChatTemplate
import KimiTokenizer

/// The records of a JSON-lines file: each non-blank line is an object whose `field` is a
/// string, or a bare JSON string.
enum JSONLRecords {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// A non-blank line and its 1-based number.
    struct Line: Sendable {
        let number: Int
        let bytes: ArraySlice<UInt8>
    }

    static func lines(_ bytes: [UInt8]) -> [Line] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            line.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } ? nil : Line(number: number + 1, bytes: line)
        }
    }

    /// The text of one record.
    static func text(of line: Line, field: String) throws -> String {
        let value: Value
        do {
            value = try JSONReader.parse(Array(line.bytes))
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
