import Foundation

/// jinja2's filters over sequences: `map`, `select`, `reject`, `selectattr`, `rejectattr`,
/// `sort`, `min`, `max`, `unique`, `groupby`, `batch`, `slice`, `sum`, and `attr`, `truncate`,
/// `format`. Strings compare
/// without case by default (`case_sensitive=False`), as jinja2's do; sorts are stable.
enum CollectionFilters {
    static let names: Set<String> = [
        "map", "select", "reject", "selectattr", "rejectattr", "sort", "min", "max", "unique", "groupby", "attr",
        "truncate", "format", "batch", "slice", "sum",
    ]

    static func apply(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Value {
        switch name {
        case "map": return .list(try map(value, arguments))
        case "select", "reject": return .list(try select(value, arguments, attribute: false, keep: name == "select"))
        case "selectattr", "rejectattr": return .list(try select(value, arguments, attribute: true, keep: name == "selectattr"))
        case "sort": return .list(try sort(value, arguments))
        case "min", "max": return try extreme(value, arguments, largest: name == "max")
        case "unique": return .list(try unique(value, arguments))
        case "groupby": return .list(try groupby(value, arguments))
        case "batch": return .list(try batch(value, arguments))
        case "slice": return .list(try slice(value, arguments))
        case "sum": return try sum(value, arguments)
        case "attr": return attr(value, arguments.value(0, "name")?.pythonString ?? "")
        case "truncate": return .string(try truncate(try value.printed(), arguments))
        case "format":
            return .string(
                try PrintfFormat.format(
                    try value.printed(), arguments.keyword.isEmpty ? .tuple(arguments.positional) : .dict(arguments.keyword.map { ($0.0, $0.1) })))
        default: throw TemplateFailure.type("no filter named '\(name)'")
        }
    }

    /// `obj.name` as Python's `getattr` sees it: methods only, never dict items.
    private static func attr(_ value: Value, _ name: String) -> Value {
        switch value {
        case .dict, .list, .string:
            if let method = try? Members.attribute(value, name), case .callable = method { return method }
            return .undefined(name)
        default:
            return .undefined(name)
        }
    }

    /// The value of a dotted attribute path (`a.b`, integer parts index), or `default`.
    private static func attribute(_ item: Value, _ path: String, default fallback: Value? = nil) throws -> Value {
        var current = item
        for part in path.split(separator: ".") {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            current = (try? Members.item(current, key)) ?? .undefined(String(part))
            if current.isUndefined { return fallback ?? current }
        }
        return current
    }

    /// The key a comparison uses: strings lowered unless `caseSensitive`.
    private static func key(_ value: Value, caseSensitive: Bool) -> Value {
        if !caseSensitive, case let .string(text) = value { return .string(text.lowercased()) }
        return value
    }

    private static func less(_ a: Value, _ b: Value) throws -> Bool {
        try Operators.compare(.less, a, b)
    }

    private static func map(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        let items = try value.iterated()
        if let path = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let fallback = arguments.keyword.first { $0.0 == "default" }?.1
            return try items.map { try attribute($0, path.pythonString, default: fallback) }
        }
        guard let filter = arguments.positional.first?.pythonString else { return items }
        let rest = Arguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { try Filters.apply(filter, $0, rest) }
    }

    private static func select(_ value: Value, _ arguments: Arguments, attribute byAttribute: Bool, keep: Bool) throws -> [Value] {
        var positional = arguments.positional
        var path: String?
        if byAttribute {
            guard !positional.isEmpty else { throw TemplateFailure.type("missing parameter for attribute name") }
            path = positional.removeFirst().pythonString
        }
        let test = positional.isEmpty ? nil : positional.removeFirst().pythonString
        return try value.iterated().filter { item in
            let subject = try path.map { try attribute(item, $0) } ?? item
            let passed = try test.map { try TestFunctions.apply($0, subject, positional) } ?? subject.isTruthy
            return passed == keep
        }
    }

    private static func option(_ arguments: Arguments, _ position: Int, _ name: String) -> Value? {
        arguments.value(position, name)
    }

    private static func sort(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        let reverse = option(arguments, 0, "reverse")?.isTruthy ?? false
        let caseSensitive = option(arguments, 1, "case_sensitive")?.isTruthy ?? false
        let path = option(arguments, 2, "attribute")?.pythonString
        let items = try value.iterated()
        let keys = try items.map { item in
            key(try path.map { try attribute(item, $0) } ?? item, caseSensitive: caseSensitive)
        }
        var order = Array(items.indices)
        var failure: Error?
        // Python's sort is stable; reverse=True keeps equal items in their order too.
        order = try mergeSorted(order) { a, b in
            do { return reverse ? try less(keys[b], keys[a]) : try less(keys[a], keys[b]) } catch { failure = error; return false }
        }
        if let failure { throw failure }
        return order.map { items[$0] }
    }

    /// A stable merge sort (`Array.sort` is not guaranteed stable).
    private static func mergeSorted(_ indices: [Int], by less: (Int, Int) throws -> Bool) throws -> [Int] {
        guard indices.count > 1 else { return indices }
        let middle = indices.count / 2
        let left = try mergeSorted(Array(indices[..<middle]), by: less)
        let right = try mergeSorted(Array(indices[middle...]), by: less)
        var merged: [Int] = []
        merged.reserveCapacity(indices.count)
        var (i, j) = (0, 0)
        while i < left.count, j < right.count {
            if try less(right[j], left[i]) { merged.append(right[j]); j += 1 } else { merged.append(left[i]); i += 1 }
        }
        return merged + left[i...] + right[j...]
    }

    private static func extreme(_ value: Value, _ arguments: Arguments, largest: Bool) throws -> Value {
        let caseSensitive = option(arguments, 0, "case_sensitive")?.isTruthy ?? false
        let path = option(arguments, 1, "attribute")?.pythonString
        let items = try value.iterated()
        guard var best = items.first else { return .undefined(largest ? "max" : "min") }
        var bestKey = key(try path.map { try attribute(best, $0) } ?? best, caseSensitive: caseSensitive)
        for item in items.dropFirst() {
            let itemKey = key(try path.map { try attribute(item, $0) } ?? item, caseSensitive: caseSensitive)
            if largest ? try less(bestKey, itemKey) : try less(itemKey, bestKey) {
                best = item
                bestKey = itemKey
            }
        }
        return best
    }

    private static func unique(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        let caseSensitive = option(arguments, 0, "case_sensitive")?.isTruthy ?? false
        let path = option(arguments, 1, "attribute")?.pythonString
        var seen: [Value] = []
        var result: [Value] = []
        for item in try value.iterated() {
            let itemKey = key(try path.map { try attribute(item, $0) } ?? item, caseSensitive: caseSensitive)
            if seen.contains(where: { Operators.equal($0, itemKey) }) { continue }
            seen.append(itemKey)
            result.append(item)
        }
        return result
    }

    /// `(grouper, list)` pairs, sorted by the grouper; printed as Python prints tuples.
    private static func groupby(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        guard let path = option(arguments, 0, "attribute")?.pythonString else { throw TemplateFailure.type("groupby needs an attribute") }
        let fallback = option(arguments, 1, "default")
        let caseSensitive = option(arguments, 2, "case_sensitive")?.isTruthy ?? false
        let sorted = try sort(.list(try value.iterated()), Arguments(positional: [.bool(false), .bool(caseSensitive), .string(path)], keyword: []))
        var groups: [(key: Value, items: [Value])] = []
        for item in sorted {
            let itemKey = key(try attribute(item, path, default: fallback), caseSensitive: caseSensitive)
            if let last = groups.last, Operators.equal(last.key, itemKey) {
                groups[groups.count - 1].items.append(item)
            } else {
                groups.append((itemKey, [item]))
            }
        }
        return try groups.map { group in
            let grouper = caseSensitive ? group.key : try attribute(group.items[0], path, default: fallback)
            return .tuple([grouper, .list(group.items)])
        }
    }

    /// jinja2's `truncate(s, length=255, killwords=False, end='...', leeway=5)`.
    private static func truncate(_ text: String, _ arguments: Arguments) throws -> String {
        let length = option(arguments, 0, "length").flatMap { if case let .int(n) = $0 { n } else { nil } } ?? 255
        let killwords = option(arguments, 1, "killwords")?.isTruthy ?? false
        let end = option(arguments, 2, "end")?.pythonString ?? "..."
        let leeway = option(arguments, 3, "leeway").flatMap { if case let .int(n) = $0 { n } else { nil } } ?? 5
        let scalars = Array(text.unicodeScalars)
        let endCount = end.unicodeScalars.count
        guard length >= endCount else { throw TemplateFailure.type("expected length >= \(endCount), got \(length)") }
        guard leeway >= 0 else { throw TemplateFailure.type("expected leeway >= 0, got \(leeway)") }
        if scalars.count <= length + leeway { return text }
        let kept = String(String.UnicodeScalarView(scalars.prefix(length - endCount)))
        if killwords { return kept + end }
        if let space = kept.unicodeScalars.lastIndex(of: " ") {
            return String(kept.unicodeScalars[..<space]) + end
        }
        return kept + end
    }

    /// Lists of `linecount` items (the last one filled up with `fill_with` when given).
    private static func batch(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        let count = try TextFilters.integer(option(arguments, 0, "linecount"), default: 0, "batch() linecount")
        let fill = fillValue(option(arguments, 1, "fill_with"))
        var batches: [Value] = []
        var current: [Value] = []
        for item in try value.iterated() {
            if current.count == count {
                batches.append(.list(current))
                current = []
            }
            current.append(item)
        }
        if !current.isEmpty {
            if let fill, current.count < count { current += Array(repeating: fill, count: count - current.count) }
            batches.append(.list(current))
        }
        return batches
    }

    /// `slices` lists of consecutive items, the first ones one longer when the items do not
    /// divide evenly (the others then get `fill_with` when given).
    private static func slice(_ value: Value, _ arguments: Arguments) throws -> [Value] {
        let slices = try TextFilters.integer(option(arguments, 0, "slices"), default: 0, "slice() slices")
        guard slices != 0 else { throw TemplateFailure.type("integer division or modulo by zero") }
        let fill = fillValue(option(arguments, 1, "fill_with"))
        let items = try value.iterated()
        // range(slices) is empty for a negative count.
        guard slices > 0 else { return [] }
        try RenderLimits.checkList(slices, "slice")
        let perSlice = items.count / slices
        let withExtra = items.count % slices
        var offset = 0
        var result: [Value] = []
        for number in 0..<slices {
            let start = offset + number * perSlice
            if number < withExtra { offset += 1 }
            let end = offset + (number + 1) * perSlice
            var part = Array(items[min(start, items.count)..<min(max(start, end), items.count)])
            if let fill, number >= withExtra { part.append(fill) }
            result.append(.list(part))
        }
        return result
    }

    /// `start` plus every item (or every item's `attribute`), with Python's `+`.
    private static func sum(_ value: Value, _ arguments: Arguments) throws -> Value {
        var total = option(arguments, 1, "start") ?? .int(0)
        let path = option(arguments, 0, "attribute")
        for item in try value.iterated() {
            let term = try path.map { try attribute(item, try $0.printed()) } ?? item
            total = try Operators.binary(.add, total, term)
        }
        return total
    }

    /// `fill_with`: none when not given or `None`.
    private static func fillValue(_ value: Value?) -> Value? {
        switch value {
        case nil, .none?: nil
        case let value?: value
        }
    }
}
