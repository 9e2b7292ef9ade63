import BigInt
import Foundation

/// Python's integers beyond 64 bits: arithmetic on `Value.bigInt` (and on ints whose result
/// overflows), with Python's floor division and modulo, results back to `Value.int` when they
/// fit. The size of a result is checked before it is computed.
enum PythonIntegers {
    /// The most decimal digits an integer a template computes may have.
    static let maximumDigits = 100_000
    private static let maximumBits = maximumDigits * 10 / 3 + 64

    static func big(_ value: Value) -> BigInt? {
        switch value {
        case let .int(number): BigInt(number)
        case let .bool(flag): BigInt(flag ? 1 : 0)
        case let .bigInt(digits): BigInt(digits)
        default: nil
        }
    }

    static func value(_ number: BigInt) -> Value {
        if let small = Int(exactly: number) { return .int(small) }
        return .bigInt(number.description)
    }

    /// `x op y` for two integers.
    static func binary(_ op: ArithmeticOperator, _ x: BigInt, _ y: BigInt) throws(TemplateFailure) -> Value? {
        switch op {
        case .add: return value(x + y)
        case .subtract: return value(x - y)
        case .multiply:
            guard x.bitWidth + y.bitWidth <= maximumBits else { throw tooLarge() }
            return value(x * y)
        case .floorDivide, .modulo:
            guard !y.isZero else { throw .type("integer division or modulo by zero") }
            var (quotient, remainder) = x.quotientAndRemainder(dividingBy: y)
            if !remainder.isZero, (remainder.signum() < 0) != (y.signum() < 0) {
                quotient -= 1
                remainder += y
            }
            return value(op == .floorDivide ? quotient : remainder)
        case .divide:
            guard !y.isZero else { throw .type("division by zero") }
            return .float(Double(x) / Double(y))
        case .power:
            if y.signum() < 0 { return .float(Foundation.pow(Double(x), Double(y))) }
            if x.magnitude <= 1 { return value(x.isZero ? (y.isZero ? 1 : 0) : (x.signum() < 0 && y % 2 != 0 ? -1 : 1)) }
            guard let exponent = Int(exactly: y), exponent.multipliedReportingOverflow(by: x.bitWidth).partialValue <= maximumBits,
                !exponent.multipliedReportingOverflow(by: x.bitWidth).overflow
            else { throw tooLarge() }
            return value(x.power(exponent))
        default:
            return nil
        }
    }

    static func compare(_ x: BigInt, _ y: BigInt) -> Int { x < y ? -1 : x > y ? 1 : 0 }

    private static func tooLarge() -> TemplateFailure {
        .limit("an integer result of more than \(maximumDigits) digits")
    }
}
