import KimiChatTemplate

/// Validates JSON values against the JSON Schema subset that tool `parameters` use: `type`
/// (one or a list), `required`, `enum`, `const`, `properties`, `additionalProperties`, `items`,
/// `anyOf` / `oneOf`, and the numeric and length bounds.
public struct JSONSchemaValidator: Sendable {
    public let schema: Value

    public init(schema: Value) { self.schema = schema }

    /// Every violation, each as "path: problem".
    public func violations(of value: Value) -> [String] {
        var problems: [String] = []
        check(value, against: schema, path: "$", into: &problems)
        return problems
    }

    private func check(_ value: Value, against schema: Value, path: String, into problems: inout [String]) {
        guard case let .dict(rules) = schema else { return }
        func rule(_ name: String) -> Value? { rules[.string(name)] }
        if let type = rule("type") {
            let allowed: [String]
            switch type {
            case let .string(one): allowed = [one]
            case let .list(many): allowed = many.items.map(\.pythonString)
            default: allowed = []
            }
            if !allowed.isEmpty, !allowed.contains(where: { Self.matches(value, type: $0) }) {
                problems.append("\(path): expected \(allowed.joined(separator: " or ")), found \(Self.jsonType(value))")
                return
            }
        }
        if case let .list(options)? = rule("enum"), !options.items.contains(where: { Self.same($0, value) }) {
            problems.append("\(path): \(value.pythonRepr) is not one of \(options.items.map(\.pythonRepr).joined(separator: ", "))")
        }
        if let constant = rule("const"), !Self.same(constant, value) {
            problems.append("\(path): must be \(constant.pythonRepr)")
        }
        for keyword in ["anyOf", "oneOf"] {
            guard case let .list(options)? = rule(keyword) else { continue }
            let passing = options.items.filter { option in
                var nested: [String] = []
                check(value, against: option, path: path, into: &nested)
                return nested.isEmpty
            }.count
            if passing == 0 || (keyword == "oneOf" && passing > 1) {
                problems.append("\(path): matches \(passing) of the \(keyword) schemas")
            }
        }
        switch value {
        case let .dict(object):
            if case let .list(required)? = rule("required") {
                for name in required.items where object[name] == nil {
                    problems.append("\(path): missing required property '\(name.pythonString)'")
                }
            }
            let properties: Value.DictBox? = { if case let .dict(p)? = rule("properties") { return p } else { return nil } }()
            for (key, item) in object.pairs {
                let childPath = "\(path).\(key.pythonString)"
                if let propertySchema = properties?[key] {
                    check(item, against: propertySchema, path: childPath, into: &problems)
                } else if let additional = rule("additionalProperties") {
                    if case .bool(false) = additional {
                        problems.append("\(path): property '\(key.pythonString)' is not allowed (additionalProperties: false)")
                    } else {
                        check(item, against: additional, path: childPath, into: &problems)
                    }
                }
            }
        case let .list(array):
            if let items = rule("items") {
                for (index, item) in array.items.enumerated() { check(item, against: items, path: "\(path)[\(index)]", into: &problems) }
            }
            if case let .int(minimum)? = rule("minItems"), array.items.count < minimum { problems.append("\(path): fewer than \(minimum) items") }
            if case let .int(maximum)? = rule("maxItems"), array.items.count > maximum { problems.append("\(path): more than \(maximum) items") }
        case let .string(text):
            let length = text.unicodeScalars.count
            if case let .int(minimum)? = rule("minLength"), length < minimum { problems.append("\(path): shorter than \(minimum) characters") }
            if case let .int(maximum)? = rule("maxLength"), length > maximum { problems.append("\(path): longer than \(maximum) characters") }
        case .int, .float:
            let number = Self.number(value) ?? 0
            if let minimum = rule("minimum").flatMap(Self.number), number < minimum { problems.append("\(path): below the minimum \(minimum)") }
            if let maximum = rule("maximum").flatMap(Self.number), number > maximum { problems.append("\(path): above the maximum \(maximum)") }
        default:
            break
        }
    }

    private static func number(_ value: Value) -> Double? {
        switch value {
        case let .int(i): Double(i)
        case let .float(d): d
        default: nil
        }
    }

    private static func matches(_ value: Value, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("null", .none), ("object", .dict), ("array", .list): true
        case ("integer", .int), ("integer", .bigInt): true
        case let ("integer", .float(d)): d == d.rounded()
        case ("number", .int), ("number", .float), ("number", .bigInt): true
        default: false
        }
    }

    private static func jsonType(_ value: Value) -> String {
        switch value {
        case .string: "string"
        case .bool: "boolean"
        case .none: "null"
        case .dict: "object"
        case .list, .tuple: "array"
        case .int, .bigInt: "integer"
        case .float: "number"
        default: value.typeName
        }
    }

    /// JSON equality: 1 and 1.0 are equal, true and 1 are not.
    private static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.bool, .int), (.int, .bool), (.bool, .float), (.float, .bool): return false
        default: return a.pythonRepr == b.pythonRepr || (number(a) != nil && number(a) == number(b))
        }
    }
}
