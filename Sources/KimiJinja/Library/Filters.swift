import Foundation

/// The filters of jinja2 that chat templates use, with transformers' own `tojson`.
enum Filters {
    static let names: Set<String> = Set([
        "tojson", "string", "length", "count", "trim", "join", "default", "d", "first", "last",
        "replace", "dictsort", "upper", "lower", "title", "capitalize", "list", "abs", "int", "float",
        "items", "reverse", "safe", "e", "escape",
        "round", "pprint",
    ]).union(CollectionFilters.names).union(TextFilters.names)

    static func apply(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Value {
        switch name {
        case "tojson":
            return .string(try tojson(value, arguments))
        case "string":
            return .string(try value.printed())
        case "length", "count":
            return .int(try length(value))
        case "trim":
            return .string(try StringMethods.strip(try value.printed(), arguments.value(0, "chars"), leading: true, trailing: true))
        case "join":
            let separator = arguments.value(0, "d")?.pythonString ?? ""
            var items = try value.iterated()
            if let attribute = arguments.value(1, "attribute") {
                items = try items.map { try Members.item($0, attribute) }
            }
            return .string(try joined(try items.map { try $0.printed() }, separator: separator))
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "first":
            return try value.iterated().first ?? .undefined("first")
        case "last":
            return try value.iterated().last ?? .undefined("last")
        case "replace":
            guard let old = arguments.value(0, "old"), let new = arguments.value(1, "new") else {
                throw TemplateFailure.type("replace filter needs old and new")
            }
            var count = -1
            if case let .int(c)? = arguments.value(2, "count") { count = c }
            return .string(try replace(try value.printed(), old.pythonString, new.pythonString, count: count))
        case "dictsort":
            return try dictsort(value, arguments)
        case "upper":
            return .string(try value.printed().uppercased())
        case "lower":
            return .string(try value.printed().lowercased())
        case "title":
            return .string(title(try value.printed()))
        case "capitalize":
            return .string(capitalize(try value.printed()))
        case "list":
            return .list(try value.iterated())
        case "items":
            guard case let .dict(box) = value else {
                if value.isUndefined { return .list([]) }
                throw TemplateFailure.type("items filter needs a mapping, not \(value.typeName)")
            }
            return .list(box.pairs.map { .tuple([$0, $1]) })
        case "reverse":
            if case let .string(s) = value { return .string(String(s.reversed())) }
            return .list(try value.iterated().reversed())
        case "abs":
            switch value {
            case let .int(i): return .int(abs(i))
            case let .float(d): return .float(abs(d))
            case let .bool(b): return .int(b ? 1 : 0)
            default: throw TemplateFailure.type("bad operand type for abs(): '\(value.typeName)'")
            }
        case "int":
            switch value {
            case let .int(i): return .int(i)
            case let .bool(b): return .int(b ? 1 : 0)
            case let .float(d) where d.isFinite: return .int(Int(d))
            case let .string(s): return .int(Int(s.trimmingCharacters(in: .whitespaces)) ?? Int(Double(s) ?? 0))
            default: return arguments.value(0, "default") ?? .int(0)
            }
        case "float":
            switch value {
            case let .int(i): return .float(Double(i))
            case let .float(d): return .float(d)
            case let .bool(b): return .float(b ? 1 : 0)
            case let .string(s): return .float(Double(s.trimmingCharacters(in: .whitespaces)) ?? 0)
            default: return arguments.value(0, "default") ?? .float(0)
            }
        case "safe":
            return value
        case "e", "escape":
            return .string(TextFilters.escape(try value.printed()))
        case "round":
            return try RoundFilter.apply(value, arguments)
        case "pprint":
            return .string(try PrettyPrinter.format(value))
        default:
            if CollectionFilters.names.contains(name) { return try CollectionFilters.apply(name, value, arguments) }
            if TextFilters.names.contains(name) { return try TextFilters.apply(name, value, arguments) }
            throw TemplateFailure.type("no filter named '\(name)'")
        }
    }

    /// `separator.join(parts)`, refused before allocating when it would exceed the string limit.
    static func joined(_ parts: [String], separator: String) throws(TemplateFailure) -> String {
        let total = parts.reduce(0) { $0 &+ $1.utf8.count } &+ RenderLimits.product(separator.utf8.count, max(0, parts.count - 1))
        try RenderLimits.checkString(total, "join")
        return parts.joined(separator: separator)
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private static func tojson(_ value: Value, _ arguments: Arguments) throws -> String {
        var indent: String?
        switch arguments.value(1, "indent") {
        case nil, .none?: indent = nil
        case let .int(n)?:
            try RenderLimits.checkWidth(n, "tojson indent")
            indent = String(repeating: " ", count: max(0, n))
        case let .string(s)?: indent = s
        case let other?: throw TemplateFailure.type("indent must be an int or str, not \(other.typeName)")
        }
        var separators: (String, String)?
        switch arguments.value(2, "separators") {
        case nil, .none?: separators = nil
        case let .tuple(pair)? where pair.count == 2:
            separators = (pair[0].pythonString, pair[1].pythonString)
        case let .list(box)? where box.items.count == 2:
            separators = (box.items[0].pythonString, box.items[1].pythonString)
        case let other?: throw TemplateFailure.type("separators must be a pair of strings, not \(other.typeName)")
        }
        let encoder = PythonJSON(
            ensureASCII: arguments.value(0, "ensure_ascii")?.isTruthy ?? false,
            indent: indent, separators: separators,
            sortKeys: arguments.value(3, "sort_keys")?.isTruthy ?? false)
        return try encoder.encode(value)
    }

    static func length(_ value: Value) throws -> Int {
        switch value {
        case .undefined: return 0
        case let .string(s): return s.unicodeScalars.count
        case let .list(l): return l.items.count
        case let .tuple(t): return t.count
        case let .dict(d): return d.count
        default: throw TemplateFailure.type("object of type '\(value.typeName)' has no len()")
        }
    }

    private static func dictsort(_ value: Value, _ arguments: Arguments) throws -> Value {
        guard case let .dict(box) = value else { throw TemplateFailure.type("You can only sort by either \"key\" or \"value\"") }
        let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
        let byValue = arguments.value(1, "by")?.pythonString == "value"
        let reverse = arguments.value(2, "reverse")?.isTruthy ?? false
        func key(_ v: Value) -> Value {
            if !caseSensitive, case let .string(s) = v { return .string(s.lowercased()) }
            return v
        }
        var failure: Error?
        let sorted = box.pairs.map { ($0, $1) }.sorted { a, b in
            do {
                let (x, y) = byValue ? (key(a.1), key(b.1)) : (key(a.0), key(b.0))
                return try Operators.compare(reverse ? .greater : .less, x, y)
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return .list(sorted.map { .tuple([$0.0, $0.1]) })
    }

    /// Python's `str.replace`: `count` replacements at most (all when negative); an empty
    /// `old` matches before every character and at the end. The size of the result is checked
    /// before it is built.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int) throws(TemplateFailure) -> String {
        let limit = count < 0 ? Int.max : count
        let scalars = s.unicodeScalars
        if old.isEmpty {
            let places = min(limit, scalars.count + 1)
            try RenderLimits.checkString(s.utf8.count &+ RenderLimits.product(places, new.utf8.count), "replace")
            var result = ""
            var done = 0
            for scalar in scalars {
                if done < places { result += new; done += 1 }
                result.unicodeScalars.append(scalar)
            }
            if done < places { result += new }
            return result
        }
        // Bytes, not characters: Python's str.replace matches code points, and equal UTF-8
        // sequences are equal code point sequences, while String's own search would treat
        // canonically equivalent text as equal.
        let growth = new.utf8.count - old.utf8.count
        var source = Array(s.utf8)
        let needle = Array(old.utf8)
        let replacement = Array(new.utf8)
        var result: [UInt8] = []
        var start = 0
        var done = 0
        while done < limit, start + needle.count <= source.count, let found = Self.find(needle, in: source, from: start) {
            done += 1
            if growth > 0 { try RenderLimits.checkString(source.count &+ RenderLimits.product(done, growth), "replace") }
            result.append(contentsOf: source[start..<found])
            result.append(contentsOf: replacement)
            start = found + needle.count
        }
        if done == 0 { return s }
        result.append(contentsOf: source[start...])
        source = []
        return String(decoding: result, as: UTF8.self)
    }

    /// Where `needle` (not empty) first occurs in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                guard let base = hay.baseAddress, let needleBase = pattern.baseAddress, let first = pattern.first else { return nil }
                var position = start
                let last = hay.count - pattern.count
                while position <= last {
                    guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return nil }
                    position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, needleBase, pattern.count) == 0 { return position }
                    position += 1
                }
                return nil
            }
        }
    }

    static func title(_ s: String) -> String {
        var result = ""
        var previousCased = false
        for character in s {
            result += previousCased ? character.lowercased() : character.uppercased()
            previousCased = character.isLetter
        }
        return result
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst().lowercased()
    }
}
