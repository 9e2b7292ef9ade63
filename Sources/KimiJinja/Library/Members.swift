/// Attribute and item access with jinja2's rules and Python's methods, in the immutable
/// sandbox transformers uses: methods that would mutate a list or dict are refused.
enum Members {
    /// Methods the immutable sandbox refuses (jinja2's `_mutable_spec`).
    static let mutatingListMethods: Set<String> = ["append", "clear", "pop", "reverse", "insert", "sort", "extend", "remove"]
    static let mutatingDictMethods: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]

    /// `value.name`: a Python attribute (method) first, then an item.
    static func attribute(_ value: Value, _ name: String) throws -> Value {
        switch value {
        case let .undefined(base):
            throw TemplateFailure.undefined("'\(base)' is undefined")
        case let .namespace(box):
            return box[.string(name)] ?? .undefined(name)
        case let .dict(box):
            if let method = dictMethod(box, name) { return method }
            return box[.string(name)] ?? .undefined(name)
        case let .list(box):
            return listMethod(box.items, name, box: box) ?? .undefined(name)
        case let .tuple(items):
            // groupby's (grouper, list) pairs are named tuples with these two fields.
            if items.count == 2, name == "grouper" || name == "list", listMethod(items, name, box: nil) == nil {
                return items[name == "grouper" ? 0 : 1]
            }
            return listMethod(items, name, box: nil) ?? .undefined(name)
        case let .string(s):
            return StringMethods.method(s, name) ?? .undefined(name)
        default:
            return .undefined(name)
        }
    }

    /// `value[key]`: an item first, then an attribute.
    static func item(_ value: Value, _ key: Value) throws -> Value {
        switch value {
        case let .undefined(base):
            throw TemplateFailure.undefined("'\(base)' is undefined")
        case let .dict(box):
            if let found = box[key] { return found }
        case let .list(box):
            if let found = index(box.items, key) { return found }
        case let .tuple(items):
            if let found = index(items, key) { return found }
        case let .string(s):
            let scalars = Array(s.unicodeScalars)
            if case let .int(i) = key {
                let position = i < 0 ? scalars.count + i : i
                if scalars.indices.contains(position) { return .string(String(scalars[position])) }
            }
        default:
            break
        }
        if case let .string(name) = key { return try attribute(value, name) }
        return .undefined(key.pythonString)
    }

    private static func index(_ items: [Value], _ key: Value) -> Value? {
        guard case let .int(i) = key else { return nil }
        let position = i < 0 ? items.count + i : i
        return items.indices.contains(position) ? items[position] : nil
    }

    /// `value[start:stop:step]` on lists, tuples and strings.
    static func slice(_ value: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws -> Value {
        func int(_ v: Value?) throws -> Int? {
            switch v {
            case nil, .none?: return nil
            case let .int(i)?: return i
            case let .bool(b)?: return b ? 1 : 0
            default: throw TemplateFailure.type("slice indices must be integers or None")
            }
        }
        let step = try int(step) ?? 1
        guard step != 0 else { throw TemplateFailure.type("slice step cannot be zero") }
        func pick<T>(_ items: [T]) throws -> [T] {
            let count = items.count
            func clamp(_ i: Int?, _ defaultValue: Int) -> Int {
                guard var i else { return defaultValue }
                if i < 0 { i += count }
                return step > 0 ? min(max(i, 0), count) : min(max(i, -1), count - 1)
            }
            let from = clamp(try int(start), step > 0 ? 0 : count - 1)
            let to = clamp(try int(stop), step > 0 ? count : -1)
            var result: [T] = []
            var i = from
            while step > 0 ? i < to : i > to {
                result.append(items[i])
                i += step
            }
            return result
        }
        switch value {
        case let .list(box): return .list(try pick(box.items))
        case let .tuple(items): return .tuple(try pick(items))
        case let .string(s): return .string(String(String.UnicodeScalarView(try pick(Array(s.unicodeScalars)))))
        case let .undefined(base): throw TemplateFailure.undefined("'\(base)' is undefined")
        default: throw TemplateFailure.type("'\(value.typeName)' object is not subscriptable")
        }
    }

    private static func refused(_ name: String, _ type: String) -> Value {
        .callable(
            Callable(name: name) { _ in
                throw TemplateFailure.security("access to attribute '\(name)' of '\(type)' object is unsafe.")
            })
    }

    private static func dictMethod(_ box: Value.DictBox, _ name: String) -> Value? {
        if mutatingDictMethods.contains(name) { return refused(name, "dict") }
        switch name {
        case "get":
            return .callable(
                Callable(name: "get") { arguments in
                    guard let key = arguments.value(0, "key") else { throw TemplateFailure.type("get expected at least 1 argument, got 0") }
                    return box[key] ?? arguments.value(1, "default") ?? .none
                })
        case "items":
            return .callable(Callable(name: "items") { _ in .view("dict_items", box.pairs.map { .tuple([$0, $1]) }) })
        case "keys":
            return .callable(Callable(name: "keys") { _ in .view("dict_keys", box.keys) })
        case "values":
            return .callable(Callable(name: "values") { _ in .view("dict_values", box.values) })
        case "copy":
            return .callable(Callable(name: "copy") { _ in .dict(Value.DictBox(Array(box.pairs))) })
        default:
            return nil
        }
    }

    private static func listMethod(_ items: [Value], _ name: String, box: Value.ListBox?) -> Value? {
        if box != nil, mutatingListMethods.contains(name) { return refused(name, "list") }
        switch name {
        case "index":
            return .callable(
                Callable(name: "index") { arguments in
                    guard let needle = arguments.value(0, "value"),
                        let position = items.firstIndex(where: { Operators.equal($0, needle) })
                    else {
                        throw TemplateFailure.type("value is not in list")
                    }
                    return .int(position)
                })
        case "count":
            return .callable(
                Callable(name: "count") { arguments in
                    guard let needle = arguments.value(0, "value") else { throw TemplateFailure.type("count() takes exactly one argument") }
                    return .int(items.filter { Operators.equal($0, needle) }.count)
                })
        default:
            return nil
        }
    }
}
