import KimiIO
import KimiTokenizer

/// Python's `str()`, `repr()` and `json.dumps` of template values, byte for byte.
extension Value {
    /// `str(value)`: what `{{ value }}` prints.
    public var pythonString: String {
        switch self {
        case .undefined: ""
        case let .string(s): s
        default: pythonRepr
        }
    }

    /// `repr(value)`.
    public var pythonRepr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case let .bool(b): b ? "True" : "False"
        case let .int(i): String(i)
        case let .bigInt(digits): digits
        case let .float(d): Self.pythonFloat(d)
        case let .string(s): Self.pythonStringRepr(s)
        case let .list(l): "[" + l.items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .tuple(t): t.count == 1 ? "(" + t[0].pythonRepr + ",)" : "(" + t.map(\.pythonRepr).joined(separator: ", ") + ")"
        case let .dict(d): "{" + d.pairs.map { $0.pythonRepr + ": " + $1.pythonRepr }.joined(separator: ", ") + "}"
        case let .namespace(d): "<Namespace " + Value.dict(d).pythonRepr + ">"
        case let .callable(c): c.name == Globals.selfReferenceName ? "<TemplateReference None>" : "<function \(c.name)>"
        case let .view(kind, items): kind + "([" + items.map(\.pythonRepr).joined(separator: ", ") + "])"
        }
    }

    /// The value as compact JSON (`json.dumps(value, separators=(',', ':'), ensure_ascii=False)`).
    public func compactJSON() throws -> String {
        do { return try PythonJSON(separators: (",", ":")).encode(self) } catch {
            throw TemplateError(kind: error.kind, message: error.message, file: "JSON", location: TemplatePosition(line: 0, column: 0))
        }
    }

    /// `json.dumps(value, ensure_ascii=False)` with the default separators: what transformers'
    /// `tojson` prints.
    public static func jsonQuotedValue(_ value: Value) -> String {
        (try? PythonJSON().encode(value)) ?? value.pythonRepr
    }

    /// `s` as a JSON string literal (`json.dumps(s, ensure_ascii=False)`).
    public static func jsonQuoted(_ s: String) -> String {
        (try? PythonJSON().encode(.string(s))) ?? "\"\""
    }

    /// `repr(float)`: the shortest round-trip form, `1e-05` / `1e+16` style exponents.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return "\(d)"
    }

    /// `repr(str)`: single quotes unless the text has `'` and no `"`.
    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    result.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    result += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    result += "\\u" + hex(scalar.value, width: 4)
                } else {
                    result += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return result + String(quote)
    }

    /// Python's `str.isprintable` for one character (Python 3.11, Unicode 14.0).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeClassTable.kimi.classes(of: scalar.value).contains(.pythonPrintable)
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// `json.dumps` as transformers' `tojson` filter calls it.
struct PythonJSON {
    var ensureASCII = false
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false

    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false) {
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.sortKeys = sortKeys
        // json.dumps: (', ', ': ') by default, (',', ': ') when indenting.
        itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        keySeparator = separators?.1 ?? ": "
    }

    func encode(_ value: Value) throws(TemplateFailure) -> String {
        var output = ""
        try write(value, depth: 0, into: &output)
        return output
    }

    private func write(_ value: Value, depth: Int, into output: inout String) throws(TemplateFailure) {
        guard depth < 512 else { throw .limit("tojson: value nested deeper than 512 levels") }
        switch value {
        case .none: output += "null"
        case let .bool(b): output += b ? "true" : "false"
        case let .int(i): output += String(i)
        case let .bigInt(digits): output += digits
        case let .float(d):
            output += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : Value.pythonFloat(d)
        case let .string(s): writeString(s, into: &output)
        case let .list(l): try writeArray(l.items, depth: depth, into: &output)
        case let .tuple(t): try writeArray(t, depth: depth, into: &output)
        case let .dict(d):
            var pairs = Array(d.pairs)
            if pairs.isEmpty { output += "{}"; return }
            var keyed: [(String, Value)] = []
            for (key, item) in pairs {
                switch key {
                case let .string(s): keyed.append((s, item))
                case let .int(i): keyed.append((String(i), item))
                case let .float(f): keyed.append((Value.pythonFloat(f), item))
                case let .bool(b): keyed.append((b ? "true" : "false", item))
                case .none: keyed.append(("null", item))
                default: throw .type("keys must be str, int, float, bool or None, not \(key.typeName)")
                }
            }
            if sortKeys { keyed.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } }
            pairs = []
            output += "{"
            for (offset, (key, item)) in keyed.enumerated() {
                if offset > 0 { output += itemSeparator }
                newline(depth + 1, into: &output)
                writeString(key, into: &output)
                output += keySeparator
                try write(item, depth: depth + 1, into: &output)
            }
            newline(depth, into: &output)
            output += "}"
        case .undefined: throw .type("Object of type Undefined is not JSON serializable")
        case .namespace: throw .type("Object of type Namespace is not JSON serializable")
        case .callable: throw .type("Object of type function is not JSON serializable")
        case let .view(kind, _): throw .type("Object of type \(kind) is not JSON serializable")
        }
    }

    private func writeArray(_ items: [Value], depth: Int, into output: inout String) throws(TemplateFailure) {
        if items.isEmpty { output += "[]"; return }
        output += "["
        for (offset, item) in items.enumerated() {
            if offset > 0 { output += itemSeparator }
            newline(depth + 1, into: &output)
            try write(item, depth: depth + 1, into: &output)
        }
        newline(depth, into: &output)
        output += "]"
    }

    private func newline(_ depth: Int, into output: inout String) {
        guard let indent else { return }
        output += "\n" + String(repeating: indent, count: depth)
    }

    private func writeString(_ s: String, into output: inout String) {
        output += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        output += "\\u" + Value.hex(0xD800 + (v >> 10), width: 4)
                        output += "\\u" + Value.hex(0xDC00 + (v & 0x3FF), width: 4)
                    } else {
                        output += "\\u" + Value.hex(scalar.value, width: 4)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
