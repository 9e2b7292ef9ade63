import Foundation

/// A JSON value as Python's `json.loads` gives it: objects keep their key order (a later
/// duplicate key replaces the value but keeps the first one's place), integers stay integers
/// (beyond 64 bits as their digits) and other numbers become floats.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits, as its decimal digits.
    case bigInt(String)
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.bigInt(x), .bigInt(y)): x == y
        case let (.float(x), .float(y)): x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The value of `key` in an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// Python's type name, for messages.
    public var typeName: String {
        switch self {
        case .null: "NoneType"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }
}

/// Reads JSON the way Python's `json.loads` does (see ``JSONValue``), with errors that name the
/// line and column, and the real character found.
public struct JSONReader {
    /// Malformed JSON, with the byte offset, line and column of the problem.
    public struct SyntaxError: ClassifiedError, Equatable {
        public var errorKind: KimiError.Kind { .badInput }
        public let message: String
        public let offset: Int
        public let line: Int
        public let column: Int
        public var description: String { "invalid JSON at line \(line), column \(column) (byte \(offset)): \(message)" }

        public init(message: String, offset: Int, line: Int, column: Int) {
            self.message = message
            self.offset = offset
            self.line = line
            self.column = column
        }
    }

    /// A step into a JSON document: an object key or an array index.
    public enum PathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// Where a string value (quotes included) or an object (braces included) sits in the
    /// document's bytes.
    public struct StringSpan: Sendable, Equatable {
        public let path: [PathComponent]
        public let range: Range<Int>
    }

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private var path: [PathComponent] = []
    private var spans: [StringSpan]?
    private var objectSpans: [StringSpan]?

    /// Whether `NaN`, `Infinity` and `-Infinity` are read as numbers, as Python's `json` reads
    /// them (files written by Python carry them); strict JSON, as an HTTP body must be, has none.
    private var allowsNonFinite = true

    /// Parses one JSON document; `strict` refuses the non-finite numbers Python writes.
    public static func parse(_ bytes: [UInt8], strict: Bool = false) throws(SyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        reader.allowsNonFinite = !strict
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        if reader.position < bytes.count { throw reader.error("unexpected data after the JSON value") }
        return value
    }

    /// Parses one JSON document and also returns where every string value is, so that a
    /// caller can rewrite values in place and keep every other byte.
    public static func parseWithStringSpans(_ bytes: [UInt8]) throws(SyntaxError) -> (JSONValue, [StringSpan]) {
        var reader = JSONReader(bytes: bytes)
        reader.spans = []
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        if reader.position < bytes.count { throw reader.error("unexpected data after the JSON value") }
        return (value, reader.spans ?? [])
    }

    /// Parses one JSON document and returns where every string value and every object is
    /// (an object's range runs from its `{` to its `}`), for callers that rewrite or insert
    /// in place and keep every other byte.
    public static func parseWithSpans(_ bytes: [UInt8]) throws(SyntaxError) -> (value: JSONValue, strings: [StringSpan], objects: [StringSpan]) {
        var reader = JSONReader(bytes: bytes)
        reader.spans = []
        reader.objectSpans = []
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        if reader.position < bytes.count { throw reader.error("unexpected data after the JSON value") }
        return (value, reader.spans ?? [], reader.objectSpans ?? [])
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// The character at `position` for a message: the whole UTF-8 character (not the Latin-1
    /// reading of its first byte), a byte order mark by name, a control or invalid byte in hex.
    private func characterDescription(at position: Int) -> String {
        let byte = bytes[position]
        if bytes[position...].starts(with: [0xEF, 0xBB, 0xBF]) { return "a byte order mark (U+FEFF; save the file as UTF-8 without BOM)" }
        if byte < 0x20 || byte == 0x7F { return "control character U+\(String(format: "%04X", Int(byte)))" }
        if byte < 0x80 { return "'\(Unicode.Scalar(byte))'" }
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        let end = min(bytes.count, position + length)
        if let text = String(validating: bytes[position..<end], as: UTF8.self), let scalar = text.unicodeScalars.first {
            return "'\(text)' (U+\(String(format: "%04X", scalar.value)))"
        }
        return "invalid UTF-8 byte 0x\(String(format: "%02X", Int(byte)))"
    }

    private func error(_ message: String) -> SyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return SyntaxError(message: message, offset: position, line: line, column: column)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func value() throws(SyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""):
            let start = position
            let text = try string()
            spans?.append(StringSpan(path: path, range: start..<position))
            return .string(text)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N") where allowsNonFinite: return try literal("NaN", .float(.nan))
        case UInt8(ascii: "I") where allowsNonFinite: return try literal("Infinity", .float(.infinity))
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("\(bytes[position] == UInt8(ascii: "N") ? "NaN" : "Infinity") is not a JSON number (JSON has no NaN or Infinity)")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character \(characterDescription(at: position))")
        }
    }

    private mutating func literal(_ text: String, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        guard bytes[position...].starts(with: text.utf8) else { throw error("expected '\(text)'") }
        position += text.utf8.count
        return value
    }

    private mutating func nested() throws(SyntaxError) {
        depth += 1
        if depth > 512 { throw error("nested deeper than 512 levels") }
    }

    private mutating func object() throws(SyntaxError) -> JSONValue {
        try nested()
        defer { depth -= 1 }
        let start = position
        let objectPath = path
        defer { if objectSpans != nil { objectSpans?.append(StringSpan(path: objectPath, range: start..<position)) } }
        position += 1
        var pairs: [(key: String, value: JSONValue)] = []
        var places: [String: Int] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            let item = try value()
            if let place = places[key] {
                pairs[place].value = item
            } else {
                places[key] = pairs.count
                pairs.append((key, item))
            }
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func array() throws(SyntaxError) -> JSONValue {
        try nested()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            path.append(.index(items.count))
            items.append(try value())
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func number() throws(SyntaxError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            if bytes[position...].starts(with: "Infinity".utf8) {
                guard allowsNonFinite else { throw error("-Infinity is not a JSON number (JSON has no NaN or Infinity)") }
                position += 8
                return .float(-.infinity)
            }
        }
        var isFloat = false
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && isFloat)
            {
                isFloat = true
                position += 1
            } else {
                break
            }
        }
        // Up to 18 digits fit an Int whatever they are: read them without making a string.
        let negative = bytes[start] == UInt8(ascii: "-")
        let digits = position - start - (negative ? 1 : 0)
        if !isFloat, digits > 0, digits <= 18 {
            var value = 0
            for index in (negative ? start + 1 : start)..<position { value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0")) }
            return .int(negative ? -value : value)
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if !isFloat, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), text.last.map({ $0.isNumber }) == true else {
            throw error("invalid number '\(text)'")
        }
        if !isFloat { return .bigInt(text) }
        return .float(double)
    }

    /// A string literal. Runs without escapes are copied as bytes, and only runs with a
    /// non-ASCII byte are validated; a literal with no escape becomes its string directly.
    private mutating func string() throws(SyntaxError) -> String {
        position += 1
        var decoded: [UInt8] = []
        var hasEscape = false
        while true {
            let runStart = position
            let isASCII = skipRun()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\"") {
                if !hasEscape {
                    guard let text = String(validating: bytes[runStart..<position], as: UTF8.self) else {
                        throw error("invalid UTF-8 in a string")
                    }
                    position += 1
                    return text
                }
                try appendRun(from: runStart, isASCII: isASCII, to: &decoded)
                position += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            try appendRun(from: runStart, isASCII: isASCII, to: &decoded)
            hasEscape = true
            position += 1
            guard position < bytes.count else { break }
            try appendEscape(to: &decoded)
        }
        throw error("unterminated string")
    }

    /// Moves to the next quote, backslash or control character (or the end), and returns
    /// whether the bytes passed are all ASCII.
    private mutating func skipRun() -> Bool {
        let (end, isASCII) = bytes.withUnsafeBufferPointer { buffer in
            var index = position
            var union: UInt8 = 0
            while index < buffer.count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                union |= byte
                index += 1
            }
            return (index, union < 0x80)
        }
        position = end
        return isASCII
    }

    /// Appends `bytes[start..<position]`, which must be valid UTF-8.
    private func appendRun(from start: Int, isASCII: Bool, to decoded: inout [UInt8]) throws(SyntaxError) {
        let run = bytes[start..<position]
        if !isASCII, String(validating: run, as: UTF8.self) == nil { throw error("invalid UTF-8 in a string") }
        decoded.append(contentsOf: run)
    }

    /// Appends the UTF-8 of the escape whose letter is at `position`, and moves past it.
    private mutating func appendEscape(to decoded: inout [UInt8]) throws(SyntaxError) {
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var value = try hex4()
            if (0xD800...0xDBFF).contains(value), bytes[position...].starts(with: "\\u".utf8) {
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a string") }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else { throw error("unpaired surrogate in a string") }
            UTF8.encode(scalar) { decoded.append($0) }
        default:
            throw error("invalid escape '\\\(Unicode.Scalar(escape))'")
        }
    }

    /// Four hex digits, exactly (no sign, as in Python's `json`).
    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }
}
