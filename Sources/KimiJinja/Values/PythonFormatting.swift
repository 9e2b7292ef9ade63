import KimiIO
import KimiUnicode

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

    /// The UTF-8 size of `repr(value)`, counted without building it; counting stops once it
    /// passes `budget` (the result is then some size over `budget`). A printed list of many
    /// references to one long string is far larger than the value itself, so containers are
    /// measured this way before they are printed.
    func reprSize(budget: Int) -> Int {
        // Escapes only add to a string's size, so its UTF-8 size plus the quotes is a lower
        // bound that refuses most oversized values without reading their text.
        let lowerBound = reprSizeLowerBound(budget: budget)
        if lowerBound > budget { return lowerBound }
        var total = 0
        var pending: [Value] = [self]
        while let value = pending.popLast(), total <= budget {
            switch value {
            case let .string(s): total += Self.stringReprSize(s)
            case let .list(l): total += 2 + 2 * l.items.count; pending.append(contentsOf: l.items)
            case let .tuple(t): total += 3 + 2 * t.count; pending.append(contentsOf: t)
            case let .view(kind, t): total += kind.utf8.count + 4 + 2 * t.count; pending.append(contentsOf: t)
            case let .dict(d), let .namespace(d):
                total += 13 + 4 * d.count
                pending.append(contentsOf: d.keys)
                pending.append(contentsOf: d.values)
            default: total += value.pythonRepr.utf8.count
            }
        }
        return total
    }

    private func reprSizeLowerBound(budget: Int) -> Int {
        var total = 0
        var pending: [Value] = [self]
        while let value = pending.popLast(), total <= budget {
            switch value {
            case let .string(s): total += s.utf8.count + 2
            case let .list(l): total += 2; pending.append(contentsOf: l.items)
            case let .tuple(t), let .view(_, t): total += 2; pending.append(contentsOf: t)
            case let .dict(d), let .namespace(d):
                total += 2
                pending.append(contentsOf: d.keys)
                pending.append(contentsOf: d.values)
            default: total += 1
            }
        }
        return total
    }

    /// The size of `repr(s)`: two quotes and each character as `pythonStringRepr` writes it.
    private static func stringReprSize(_ s: String) -> Int {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var size = 2
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\", "\n", "\r", "\t", quote: size += 2
            default:
                if isPrintable(scalar) {
                    size += UTF8.width(scalar)
                } else {
                    size += scalar.value < 0x100 ? 4 : scalar.value < 0x10000 ? 6 : 10
                }
            }
        }
        return size
    }

    /// `str(value)` (or `repr(value)`), refused before it is built when it would be larger
    /// than the string limit.
    func printed(repr: Bool = false) throws(TemplateFailure) -> String {
        switch self {
        case let .string(s) where !repr: return s
        case .string, .list, .tuple, .dict, .namespace, .view:
            try RenderLimits.checkString(reprSize(budget: RenderLimits.stringBytes), repr ? "repr()" : "printing a value")
            return repr ? pythonRepr : pythonString
        default: return repr ? pythonRepr : pythonString
        }
    }

    /// What llama.cpp's Jinja engine prints for the value (``JinjaDialect/llamaCpp``): strings
    /// as they are, numbers and booleans as Python prints them, the items of a list (nested
    /// lists too) one after another, nothing for anything else.
    func printedByLlamaCpp() throws(TemplateFailure) -> String {
        var output = ""
        var pending: [Value] = [self]
        while let value = pending.popLast() {
            switch value {
            case let .string(s): output += s
            case .int, .bigInt, .float, .bool: output += value.pythonString
            case let .list(list): pending += list.items.reversed()
            case let .tuple(items): pending += items.reversed()
            default: continue
            }
            try RenderLimits.checkString(output.utf8.count, "printing a value")
        }
        return output
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

    /// Appends `text`, refusing first when the output would pass the string limit.
    private func append(_ text: String, to output: inout String) throws(TemplateFailure) {
        try RenderLimits.checkString(output.utf8.count &+ text.utf8.count, "tojson")
        output += text
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
        case let .string(s): try writeString(s, into: &output)
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
                if offset > 0 { try append(itemSeparator, to: &output) }
                try newline(depth + 1, into: &output)
                try writeString(key, into: &output)
                try append(keySeparator, to: &output)
                try write(item, depth: depth + 1, into: &output)
            }
            try newline(depth, into: &output)
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
            if offset > 0 { try append(itemSeparator, to: &output) }
            try newline(depth + 1, into: &output)
            try write(item, depth: depth + 1, into: &output)
        }
        try newline(depth, into: &output)
        output += "]"
    }

    private func newline(_ depth: Int, into output: inout String) throws(TemplateFailure) {
        guard let indent else { return }
        try RenderLimits.checkString(output.utf8.count &+ 1 &+ RenderLimits.product(indent.utf8.count, depth), "tojson")
        output += "\n" + String(repeating: indent, count: depth)
    }

    /// A JSON string literal; refused before writing when a `\uXXXX` escape for every byte
    /// of `s` could pass the string limit and the exact size does.
    private func writeString(_ s: String, into output: inout String) throws(TemplateFailure) {
        try RenderLimits.checkString(output.utf8.count &+ 2 &+ s.utf8.count, "tojson")
        if output.utf8.count &+ 2 &+ RenderLimits.product(s.utf8.count, 6) > RenderLimits.stringBytes {
            var escaped = 0
            for scalar in s.unicodeScalars {
                switch scalar.value {
                case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: escaped += 2
                case 0..<0x20: escaped += 6
                case 0x7F...: escaped += ensureASCII ? (scalar.value > 0xFFFF ? 12 : 6) : UTF8.width(scalar)
                default: escaped += 1
                }
            }
            try RenderLimits.checkString(output.utf8.count &+ 2 &+ escaped, "tojson")
        }
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(s.utf8.count + 2)
        func escape(_ value: UInt32) {
            bytes.append(contentsOf: Array("\\u".utf8))
            bytes.append(contentsOf: Array(Value.hex(value, width: 4).utf8))
        }
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0..<0x20: escape(scalar.value)
            case 0x20..<0x7F: bytes.append(UInt8(scalar.value))
            default:
                if !ensureASCII {
                    if let encoded = UTF8.encode(scalar) { bytes.append(contentsOf: encoded) }
                } else if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    escape(0xD800 + (v >> 10))
                    escape(0xDC00 + (v & 0x3FF))
                } else {
                    escape(scalar.value)
                }
            }
        }
        bytes.append(0x22)
        output += String(decoding: bytes, as: UTF8.self)
    }
}
