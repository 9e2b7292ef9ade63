import Foundation

/// Parses token IDs written as a JSON array or as numbers separated by commas or whitespace.
enum TokenIDList {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") {
            let elements: [JSONElement]
            do {
                elements = try JSONDecoder().decode([JSONElement].self, from: Data(trimmed.utf8))
            } catch {
                throw Invalid(description: "the IDs look like a JSON array but are not one of numbers: \(error)")
            }
            return try elements.enumerated().map { position, element in
                guard case let .integer(value) = element else {
                    throw Invalid(description: "ID at position \(position) is \(element), not an integer")
                }
                return try checkedID(value, String(value), position)
            }
        }
        let fields = trimmed.split(whereSeparator: { $0 == "," || $0.isWhitespace })
        return try fields.enumerated().map { position, field in
            guard let value = Int64(field) else {
                throw Invalid(description: "ID at position \(position) is '\(field)', not an integer")
            }
            return try checkedID(value, String(field), position)
        }
    }

    /// One element of a JSON array of IDs, kept for the error message when it is not an integer.
    private enum JSONElement: Decodable, CustomStringConvertible {
        case integer(Int64)
        case other(String)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .other(value.isFinite && value == value.rounded() && abs(value) >= 9.2e18
                              ? "\(value) (too large)" : "\(value)")
            } else if let value = try? container.decode(String.self) {
                self = .other("the string \"\(value)\"")
            } else if let value = try? container.decode(Bool.self) {
                self = .other("\(value)")
            } else if container.decodeNil() {
                self = .other("null")
            } else {
                self = .other("an array or object")
            }
        }

        var description: String {
            switch self {
            case let .integer(value): "\(value)"
            case let .other(text): text
            }
        }
    }

    private static func checkedID(_ value: Int64, _ text: String, _ position: Int) throws -> Int {
        guard value >= 0 else {
            throw Invalid(description: "ID at position \(position) is \(text); token IDs are not negative")
        }
        return Int(value)
    }
}
