import KimiChatTemplate

/// Validates JSON values against the JSON Schema (draft 2020-12) keywords that tool `parameters`
/// use: `type` (one or a list), `required`, `enum`, `const`, `properties`,
/// `additionalProperties`, `propertyNames`, `dependentRequired`, `minProperties` /
/// `maxProperties`, `items`, `prefixItems`, `uniqueItems`, `allOf` / `anyOf` / `oneOf` / `not`,
/// `if` / `then` / `else`, `$ref` within the schema, and the numeric and length bounds.
/// `pattern`, `patternProperties` and `format` are not checked.
public struct JSONSchemaValidator: Sendable {
    public let schema: Value

    public init(schema: Value) { self.schema = schema }

    /// Every violation, each as "path: problem".
    public func violations(of value: Value) -> [String] {
        var problems: [String] = []
        check(value, against: schema, path: "$", into: &problems)
        return problems
    }

    /// Whether the schema itself is one a validator accepts: a boolean, or an object whose
    /// `type` names JSON types and whose `required` is a list of strings (what K2VV's
    /// `jsonschema.validate` rejects before validating anything).
    public var schemaIsWellFormed: Bool { Self.wellFormed(schema, depth: 0) }

    private static let typeNames: Set<String> = ["string", "number", "integer", "boolean", "object", "array", "null"]

    private static func wellFormed(_ schema: Value, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        switch schema {
        case .bool: return true
        case let .dict(rules):
            switch rules[.string("type")] {
            case nil: break
            case let .string(name)?: if !typeNames.contains(name) { return false }
            case let .list(names)?:
                guard names.items.allSatisfy({ if case let .string(name) = $0 { typeNames.contains(name) } else { false } }) else { return false }
            default: return false
            }
            switch rules[.string("required")] {
            case nil: break
            case let .list(names)?: if !names.items.allSatisfy({ if case .string = $0 { true } else { false } }) { return false }
            default: return false
            }
            if case let .dict(properties)? = rules[.string("properties")] {
                if !properties.values.allSatisfy({ wellFormed($0, depth: depth + 1) }) { return false }
            } else if rules[.string("properties")] != nil {
                return false
            }
            for keyword in ["items", "additionalProperties", "not", "if", "then", "else", "propertyNames"] {
                if let nested = rules[.string(keyword)], !wellFormed(nested, depth: depth + 1) { return false }
            }
            for keyword in ["allOf", "anyOf", "oneOf", "prefixItems"] {
                guard let list = rules[.string(keyword)] else { continue }
                guard case let .list(items) = list, !items.items.isEmpty || keyword == "prefixItems",
                    items.items.allSatisfy({ wellFormed($0, depth: depth + 1) })
                else { return false }
            }
            return true
        default: return false
        }
    }

    /// The schema a local `$ref` (`#`, `#/$defs/NAME`, `#/definitions/NAME`, any JSON pointer
    /// into the schema) points to.
    private func resolve(_ reference: String) -> Value? {
        guard reference.hasPrefix("#") else { return nil }
        var node = schema
        for component in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = component.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case let .dict(box):
                guard let next = box[.string(key)] else { return nil }
                node = next
            case let .list(box):
                guard let index = Int(key), box.items.indices.contains(index) else { return nil }
                node = box.items[index]
            default: return nil
            }
        }
        return node
    }

    private func passes(_ value: Value, _ schema: Value, path: String) -> Bool {
        var nested: [String] = []
        check(value, against: schema, path: path, into: &nested)
        return nested.isEmpty
    }

    private func check(_ value: Value, against schema: Value, path: String, into problems: inout [String], depth: Int = 0) {
        if case .bool(false) = schema {
            problems.append("\(path): no value is allowed here (schema false)")
            return
        }
        guard case let .dict(rules) = schema, depth < 64 else { return }
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
        if case let .string(reference)? = rule("$ref") {
            if let target = resolve(reference) {
                check(value, against: target, path: path, into: &problems, depth: depth + 1)
            } else {
                problems.append("\(path): the schema's $ref '\(reference)' points nowhere")
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            guard case let .list(options)? = rule(keyword) else { continue }
            let passing = options.items.filter { passes(value, $0, path: path) }.count
            if passing == 0 || (keyword == "oneOf" && passing > 1) {
                problems.append("\(path): matches \(passing) of the \(keyword) schemas")
            }
        }
        if case let .list(all)? = rule("allOf") {
            for option in all.items { check(value, against: option, path: path, into: &problems, depth: depth + 1) }
        }
        if let negated = rule("not"), passes(value, negated, path: path) {
            problems.append("\(path): matches the schema under 'not'")
        }
        if let condition = rule("if") {
            let branch = passes(value, condition, path: path) ? rule("then") : rule("else")
            if let branch { check(value, against: branch, path: path, into: &problems, depth: depth + 1) }
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
            if case let .int(minimum)? = rule("minProperties"), object.count < minimum { problems.append("\(path): fewer than \(minimum) properties") }
            if case let .int(maximum)? = rule("maxProperties"), object.count > maximum { problems.append("\(path): more than \(maximum) properties") }
            if let names = rule("propertyNames") {
                for key in object.keys { check(key, against: names, path: "\(path) (property name)", into: &problems, depth: depth + 1) }
            }
            if case let .dict(dependencies)? = rule("dependentRequired") {
                for (key, needed) in dependencies.pairs where object[key] != nil {
                    for name in Self.listItems(needed) where object[name] == nil {
                        problems.append("\(path): '\(key.pythonString)' needs property '\(name.pythonString)'")
                    }
                }
            }
        case let .list(array):
            var prefix = 0
            if case let .list(leading)? = rule("prefixItems") {
                prefix = leading.items.count
                for (index, (item, itemSchema)) in zip(array.items, leading.items).enumerated() {
                    check(item, against: itemSchema, path: "\(path)[\(index)]", into: &problems, depth: depth + 1)
                }
            }
            if let items = rule("items") {
                for (index, item) in array.items.enumerated().dropFirst(prefix) {
                    check(item, against: items, path: "\(path)[\(index)]", into: &problems, depth: depth + 1)
                }
            }
            if rule("uniqueItems")?.isTruthy == true {
                outer: for (index, item) in array.items.enumerated() {
                    for earlier in array.items[..<index] where Self.same(earlier, item) {
                        problems.append("\(path): items are not unique ([\(index)] repeats an earlier item)")
                        break outer
                    }
                }
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
            if let bound = rule("exclusiveMinimum").flatMap(Self.number), number <= bound { problems.append("\(path): not above \(bound)") }
            if let bound = rule("exclusiveMaximum").flatMap(Self.number), number >= bound { problems.append("\(path): not below \(bound)") }
            if let divisor = rule("multipleOf").flatMap(Self.number), divisor > 0 {
                let quotient = number / divisor
                if quotient.isFinite, quotient != quotient.rounded() { problems.append("\(path): not a multiple of \(divisor)") }
            }
        default:
            break
        }
    }

    private static func listItems(_ value: Value) -> [Value] {
        if case let .list(box) = value { return box.items }
        return []
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
