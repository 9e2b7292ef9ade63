/// The tests of `x is NAME`, as jinja2 defines them.
enum TestFunctions {
    static let names: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true",
        "false", "mapping", "sequence", "iterable", "callable", "sameas", "eq", "equalto", "==", "ne",
        "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=", "in", "odd", "even", "divisibleby",
        "lower", "upper", "escaped",
    ]

    static func apply(_ name: String, _ value: Value, _ arguments: [Value]) throws -> Bool {
        func argument() throws -> Value {
            guard let first = arguments.first else { throw TemplateFailure.type("test '\(name)' needs an argument") }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": return value.isString
        case "number", "integer":
            switch value {
            case .int, .bigInt: return true
            case .float, .bool: return name == "number"
            default: return false
            }
        case "float": if case .float = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "sequence":
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        case "iterable":
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case let (.bool(a), .bool(b)): return a == b
            case let (.list(a), .list(b)): return a === b
            case let (.dict(a), .dict(b)), let (.namespace(a), .namespace(b)): return a === b
            default: return false
            }
        case "eq", "equalto", "==": return Operators.equal(value, try argument())
        case "ne", "!=": return !Operators.equal(value, try argument())
        case "lt", "<": return try Operators.compare(.less, value, try argument())
        case "le", "<=": return try Operators.compare(.lessOrEqual, value, try argument())
        case "gt", ">": return try Operators.compare(.greater, value, try argument())
        case "ge", ">=": return try Operators.compare(.greaterOrEqual, value, try argument())
        case "in": return try Operators.contains(try argument(), value)
        case "odd", "even":
            guard case let .int(i) = value else { throw TemplateFailure.type("test '\(name)' needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard case let .int(i) = value, case let .int(d) = try argument(), d != 0 else {
                throw TemplateFailure.type("divisibleby needs integers")
            }
            return i % d == 0
        case "lower": return value.pythonString == value.pythonString.lowercased()
        case "upper": return value.pythonString == value.pythonString.uppercased()
        case "escaped": return false
        default: throw TemplateFailure.type("no test named '\(name)'")
        }
    }
}
