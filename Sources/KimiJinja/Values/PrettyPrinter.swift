/// Python's `pprint.pformat(value)` (width 80, indent 1, dicts sorted by key), which jinja2's
/// `pprint` filter prints: the one-line repr when it fits, else dicts, lists and tuples one item
/// per line and long strings cut at spaces into implicitly joined pieces, as CPython 3.11's
/// `PrettyPrinter` lays them out.
struct PrettyPrinter {
    private let width = 80
    private var output = ""

    static func format(_ value: Value) throws -> String {
        var printer = PrettyPrinter()
        try printer.format(value, indent: 0, allowance: 0, level: 0)
        return printer.output
    }

    private static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// `_safe_repr`: the repr with every dict's items sorted by key.
    static func repr(_ value: Value) -> String {
        switch value {
        case .undefined: return "Undefined"
        case let .list(box): return "[" + box.items.map(repr).joined(separator: ", ") + "]"
        case let .tuple(items): return items.count == 1 ? "(" + repr(items[0]) + ",)" : "(" + items.map(repr).joined(separator: ", ") + ")"
        case let .dict(box): return "{" + sortedItems(box).map { repr($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        default: return value.pythonRepr
        }
    }

    /// `sorted(d.items(), key=_safe_tuple)`: by key, falling back to the type's name for keys
    /// Python cannot order.
    private static func sortedItems(_ box: Value.DictBox) -> [(Value, Value)] {
        func less(_ a: Value, _ b: Value) -> Bool {
            if let result = try? Operators.compare(.less, a, b) { return result }
            return "<class '\(a.typeName)'>" < "<class '\(b.typeName)'>"
        }
        return box.pairs.map { ($0, $1) }.sorted { less($0.0, $1.0) || (!less($1.0, $0.0) && less($0.1, $1.1)) }
    }

    private mutating func format(_ value: Value, indent: Int, allowance: Int, level: Int) throws {
        let rep = Self.repr(value)
        try RenderLimits.checkString(output.utf8.count &+ rep.utf8.count, "pprint")
        guard Self.length(rep) > width - indent - allowance else {
            output += rep
            return
        }
        switch value {
        case let .dict(box):
            output += "{"
            if box.count > 0 { try formatDictItems(Self.sortedItems(box), indent: indent, allowance: allowance + 1, level: level + 1) }
            output += "}"
        case let .list(box):
            output += "["
            try formatItems(box.items, indent: indent, allowance: allowance + 1, level: level + 1)
            output += "]"
        case let .tuple(items):
            output += "("
            let end = items.count == 1 ? ",)" : ")"
            try formatItems(items, indent: indent, allowance: allowance + end.count, level: level + 1)
            output += end
        case let .string(text) where !text.isEmpty:
            formatString(text, indent: indent, allowance: allowance, level: level + 1)
        default:
            output += rep
        }
    }

    private mutating func formatDictItems(_ items: [(Value, Value)], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        for (position, (key, item)) in items.enumerated() {
            let last = position == items.count - 1
            let rep = Self.repr(key)
            output += rep + ": "
            try format(item, indent: indent + Self.length(rep) + 2, allowance: last ? allowance : 1, level: level)
            if !last { output += ",\n" + String(repeating: " ", count: indent) }
        }
    }

    private mutating func formatItems(_ items: [Value], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        for (position, item) in items.enumerated() {
            if position > 0 { output += ",\n" + String(repeating: " ", count: indent) }
            try format(item, indent: indent, allowance: position == items.count - 1 ? allowance : 1, level: level)
        }
    }

    /// `_pprint_str`: each line (with its end) as one repr when it fits, else cut after runs of
    /// spaces; at the top level the pieces are wrapped in parentheses.
    private mutating func formatString(_ text: String, indent: Int, allowance: Int, level: Int) {
        var indent = indent
        var allowance = allowance
        if level == 1 {
            indent += 1
            allowance += 1
        }
        let lines = Self.linesKeepingEnds(text)
        var chunks: [String] = []
        let maxWidth = width - indent
        var lastRep = ""
        for (position, line) in lines.enumerated() {
            let lastLine = position == lines.count - 1
            let rep = Value.string(line).pythonRepr
            lastRep = rep
            let lineWidth = lastLine ? maxWidth - allowance : maxWidth
            if Self.length(rep) <= lineWidth {
                chunks.append(rep)
                continue
            }
            let parts = Self.wordsAndSpaces(line)
            var current = ""
            for (index, part) in parts.enumerated() {
                let candidate = current + part
                let partWidth = index == parts.count - 1 && lastLine ? maxWidth - allowance : maxWidth
                if Self.length(Value.string(candidate).pythonRepr) > partWidth {
                    if !current.isEmpty { chunks.append(Value.string(current).pythonRepr) }
                    current = part
                } else {
                    current = candidate
                }
            }
            if !current.isEmpty { chunks.append(Value.string(current).pythonRepr) }
        }
        if chunks.count == 1 {
            output += lastRep
            return
        }
        if level == 1 { output += "(" }
        output += chunks.joined(separator: "\n" + String(repeating: " ", count: indent))
        if level == 1 { output += ")" }
    }

    /// `str.splitlines(True)`.
    private static func linesKeepingEnds(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            current.append(scalar)
            index += 1
            switch scalar.value {
            case 0x0D:
                if index < scalars.count, scalars[index] == "\n" {
                    current.append("\n")
                    index += 1
                }
                fallthrough
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                lines.append(String(current))
                current = String.UnicodeScalarView()
            default: break
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// `re.findall(r'\S*\s*', line)` without its final empty match.
    private static func wordsAndSpaces(_ line: String) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var inSpace = false
        for scalar in line.unicodeScalars {
            let space = StringMethods.isPythonSpace(scalar)
            if !space, inSpace {
                parts.append(String(current))
                current = String.UnicodeScalarView()
            }
            inSpace = space
            current.append(scalar)
        }
        if !current.isEmpty { parts.append(String(current)) }
        return parts
    }
}
