import BigInt

/// Python's operators on template values.
enum Operators {
    /// `s * n`, by doubling a byte buffer (a handful of copies, where `String(repeating:)`
    /// appends one copy at a time).
    static func repeated(_ s: String, _ n: Int) -> String {
        let unit = Array(s.utf8)
        let total = unit.count * n
        guard total > 0 else { return "" }
        var bytes = unit
        bytes.reserveCapacity(total)
        while bytes.count * 2 <= total { bytes.append(contentsOf: bytes) }
        bytes.append(contentsOf: bytes[..<(total - bytes.count)])
        return String(decoding: bytes, as: UTF8.self)
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
        case (.bigInt, _), (_, .bigInt):
            if let x = PythonIntegers.big(a), let y = PythonIntegers.big(b) { return x == y }
            if let x = number(a) ?? PythonIntegers.big(a).map(Double.init), let y = number(b) ?? PythonIntegers.big(b).map(Double.init) { return x == y }
            return false
        case let (.list(x), .list(y)): return sequencesEqual(x.items, y.items)
        case let (.tuple(x), .tuple(y)): return sequencesEqual(x, y)
        case let (.dict(x), .dict(y)):
            guard x.count == y.count else { return false }
            return x.pairs.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        case let (.namespace(x), .namespace(y)): return x === y
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return false
        }
    }

    private static func sequencesEqual(_ x: [Value], _ y: [Value]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
    }

    /// The numeric value of int, float and bool (Python's bool is an int).
    static func number(_ v: Value) -> Double? {
        switch v {
        case let .int(i): Double(i)
        case let .float(d): d
        case let .bool(b): b ? 1 : 0
        default: nil
        }
    }

    private static func integer(_ v: Value) -> Int? {
        switch v {
        case let .int(i): i
        case let .bool(b): b ? 1 : 0
        default: nil
        }
    }

    /// `a < b` (and friends, through `compare`).
    static func compare(_ op: ComparisonOperator, _ a: Value, _ b: Value) throws(TemplateFailure) -> Bool {
        if op == .equal { return equal(a, b) }
        if op == .notEqual { return !equal(a, b) }
        let order: Int
        if a.isBigInt || b.isBigInt, let x = PythonIntegers.big(a), let y = PythonIntegers.big(b) {
            order = PythonIntegers.compare(x, y)
        } else if let x = integer(a), let y = integer(b) {
            order = x < y ? -1 : x > y ? 1 : 0
        } else if let x = number(a), let y = number(b) {
            order = x < y ? -1 : x > y ? 1 : 0
        } else if case let .string(x) = a, case let .string(y) = b {
            order = x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : x == y ? 0 : 1
        } else if case let .list(x) = a, case let .list(y) = b {
            order = try sequenceOrder(x.items, y.items)
        } else if case let .tuple(x) = a, case let .tuple(y) = b {
            order = try sequenceOrder(x, y)
        } else {
            if a.isUndefined || b.isUndefined { throw .undefined("an undefined value cannot be compared with '\(op.rawValue)'") }
            throw .type("'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    private static func sequenceOrder(_ x: [Value], _ y: [Value]) throws(TemplateFailure) -> Int {
        for (a, b) in zip(x, y) where !equal(a, b) {
            return try compare(.less, a, b) ? -1 : 1
        }
        return x.count < y.count ? -1 : x.count > y.count ? 1 : 0
    }

    /// `needle in haystack`.
    static func contains(_ haystack: Value, _ needle: Value) throws(TemplateFailure) -> Bool {
        switch haystack {
        case let .string(s):
            guard case let .string(n) = needle else {
                throw .type("'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            // Python's `in`: code points, not Swift's characters (`'e' in 'e\u0301'` is true).
            return n.isEmpty || Array(s.utf8).firstRange(of: Array(n.utf8)) != nil
        case let .list(l): return l.items.contains { equal($0, needle) }
        case let .tuple(t): return t.contains { equal($0, needle) }
        case let .dict(d): return d[needle] != nil
        case .undefined: return false
        default: throw .type("argument of type '\(haystack.typeName)' is not iterable")
        }
    }

    static func binary(_ op: ArithmeticOperator, _ a: Value, _ b: Value) throws(TemplateFailure) -> Value {
        if a.isUndefined || b.isUndefined, op != .concatenate {
            throw .undefined("an undefined value was used with '\(op.rawValue)'")
        }
        if op != .concatenate, a.isBigInt || b.isBigInt {
            if let x = PythonIntegers.big(a), let y = PythonIntegers.big(b), let result = try PythonIntegers.binary(op, x, y) { return result }
            if case .float = a, let y = PythonIntegers.big(b) { return try binary(op, a, .float(Double(y))) }
            if case .float = b, let x = PythonIntegers.big(a) { return try binary(op, .float(Double(x)), b) }
        }
        switch (op, a, b) {
        case (.concatenate, _, _):
            let (x, y) = (try a.printed(), try b.printed())
            try RenderLimits.checkString(x.utf8.count + y.utf8.count, "'~'")
            return .string(x + y)
        case let (.add, .string(x), .string(y)):
            try RenderLimits.checkString(x.utf8.count + y.utf8.count, "'+'")
            return .string(x + y)
        case let (.add, .list(x), .list(y)):
            try RenderLimits.checkList(x.items.count + y.items.count, "'+'")
            return .list(x.items + y.items)
        case let (.add, .tuple(x), .tuple(y)):
            try RenderLimits.checkList(x.count + y.count, "'+'")
            return .tuple(x + y)
        case let (.multiply, .string(s), _), let (.multiply, _, .string(s)):
            guard let n = integer(a.isString ? b : a) else { break }
            try RenderLimits.checkString(RenderLimits.product(s.utf8.count, max(0, n)), "string repetition")
            return .string(repeated(s, max(0, n)))
        case let (.multiply, .list(l), _), let (.multiply, _, .list(l)):
            guard let n = integer(a.isList ? b : a) else { break }
            try RenderLimits.checkList(RenderLimits.product(l.items.count, max(0, n)), "list repetition")
            return .list(Array([[Value]](repeating: l.items, count: max(0, n)).joined()))
        default: break
        }
        if let x = integer(a), let y = integer(b) {
            switch op {
            case .add, .subtract, .multiply:
                let result =
                    op == .add ? x.addingReportingOverflow(y) : op == .subtract ? x.subtractingReportingOverflow(y) : x.multipliedReportingOverflow(by: y)
                if !result.overflow { return .int(result.partialValue) }
                return try PythonIntegers.binary(op, BigInt(x), BigInt(y)) ?? .none
            case .divide:
                guard y != 0 else { throw .type("division by zero") }
                return .float(Double(x) / Double(y))
            case .floorDivide:
                guard y != 0 else { throw .type("integer division or modulo by zero") }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            case .modulo:
                guard y != 0 else { throw .type("integer division or modulo by zero") }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case .power:
                guard y >= 0 else { return .float(pow(Double(x), Double(y))) }
                // Square and multiply: a huge exponent of 0, 1 or -1 must not loop; a result beyond
                // 64 bits goes on as a Python big integer.
                var (result, base, exponent) = (1, x, y)
                while exponent > 0 {
                    if exponent & 1 == 1 {
                        let (product, overflow) = result.multipliedReportingOverflow(by: base)
                        if overflow { return try PythonIntegers.binary(.power, BigInt(x), BigInt(y)) ?? .none }
                        result = product
                    }
                    exponent >>= 1
                    if exponent > 0 {
                        let (square, overflow) = base.multipliedReportingOverflow(by: base)
                        if overflow { return try PythonIntegers.binary(.power, BigInt(x), BigInt(y)) ?? .none }
                        base = square
                    }
                }
                return .int(result)
            default: break
            }
        }
        if let x = number(a), let y = number(b) {
            switch op {
            case .add: return .float(x + y)
            case .subtract: return .float(x - y)
            case .multiply: return .float(x * y)
            case .divide:
                guard y != 0 else { throw .type("float division by zero") }
                return .float(x / y)
            case .floorDivide:
                guard y != 0 else { throw .type("float floor division by zero") }
                return .float((x / y).rounded(.down))
            case .modulo:
                guard y != 0 else { throw .type("float modulo") }
                let r = x.truncatingRemainder(dividingBy: y)
                return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case .power: return .float(pow(x, y))
            default: break
            }
        }
        if op == .modulo, case let .string(template) = a {
            do {
                return .string(try PrintfFormat.format(template, b))
            } catch let failure as TemplateFailure {
                throw failure
            } catch {
                throw .type("\(error)")
            }
        }
        throw .type("unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws(TemplateFailure) -> Value {
        if result.overflow { throw .limit("integer too large") }
        return .int(result.partialValue)
    }
}

extension Value {
    var isBigInt: Bool { if case .bigInt = self { true } else { false } }
    var isString: Bool { if case .string = self { true } else { false } }
    var isList: Bool { if case .list = self { true } else { false } }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
