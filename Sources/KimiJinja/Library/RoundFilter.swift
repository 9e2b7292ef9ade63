import Foundation

/// jinja2's `round(value, precision=0, method='common')`: Python's `round` (half to even, on
/// the float's exact binary value) for `common`; `math.ceil` / `math.floor` of
/// `value * 10**precision`, divided back, for the others.
enum RoundFilter {
    static func apply(_ value: Value, _ arguments: Arguments) throws -> Value {
        let precision = try TextFilters.integer(arguments.value(0, "precision"), default: 0, "round() precision")
        let method = try arguments.value(1, "method")?.printed() ?? "common"
        guard ["common", "ceil", "floor"].contains(method) else { throw TemplateFailure.type("method must be common, ceil or floor") }
        guard abs(precision) <= 400 else { throw TemplateFailure.limit("round() precision \(precision) is too large") }
        if method == "common" {
            switch value {
            case let .int(number): return .int(try roundInteger(number, precision))
            case let .bool(flag): return .int(flag ? 1 : 0)
            case let .float(number): return .float(roundFloat(number, precision))
            default: throw TemplateFailure.type("type \(value.typeName) doesn't define __round__ method")
            }
        }
        let number: Double
        switch value {
        case let .int(integer): number = Double(integer)
        case let .bool(flag): number = flag ? 1 : 0
        case let .float(float): number = float
        default: throw TemplateFailure.type("unsupported operand type(s) for *: '\(value.typeName)' and 'int'")
        }
        let factor = Double("1e\(precision)") ?? 1
        let scaled = number * factor
        guard scaled.isFinite else { throw TemplateFailure.type("cannot convert float \(Value.pythonFloat(scaled)) to integer") }
        let whole = method == "ceil" ? scaled.rounded(.up) : scaled.rounded(.down)
        return .float(whole / factor)
    }

    /// `round(int, n)`: unchanged for n >= 0, else to a multiple of 10**-n, half to even.
    private static func roundInteger(_ number: Int, _ precision: Int) throws -> Int {
        guard precision < 0 else { return number }
        guard -precision < 19 else { return 0 }
        let unit = (0..<(-precision)).reduce(1) { result, _ in result * 10 }
        let (quotient, remainder) = number.quotientAndRemainder(dividingBy: unit)
        var floorQuotient = quotient
        var floorRemainder = remainder
        if floorRemainder < 0 {
            floorQuotient -= 1
            floorRemainder += unit
        }
        let twice = floorRemainder * 2
        if twice > unit || (twice == unit && floorQuotient % 2 != 0) { floorQuotient += 1 }
        let (result, overflow) = floorQuotient.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw TemplateFailure.limit("round() result does not fit in 64 bits") }
        return result
    }

    /// `round(float, n)`: the float's exact decimal expansion rounded half to even at the n-th
    /// decimal (n may be negative), read back as the nearest float.
    static func roundFloat(_ number: Double, _ precision: Int) -> Double {
        guard number.isFinite, number != 0 else { return number }
        if precision > 323 { return number }
        if precision < -308 { return 0 * number }
        // A double's exact value has at most 1074 decimals.
        let exact = String(format: "%.1080f", number.magnitude)
        guard let dot = exact.firstIndex(of: ".") else { return number }
        var digits = Array(exact.replacingOccurrences(of: ".", with: "").utf8).map { Int($0) - 48 }
        let pointPosition = exact.distance(from: exact.startIndex, to: dot)
        // Keep `pointPosition + precision` digits; the rest decides the rounding.
        let keep = pointPosition + precision
        guard keep >= 0 else { return 0 * number }
        guard keep < digits.count else { return number }
        let rest = digits[keep...]
        var roundUp = false
        if let first = rest.first {
            if first > 5 || (first == 5 && rest.dropFirst().contains { $0 != 0 }) {
                roundUp = true
            } else if first == 5 {
                roundUp = keep > 0 ? digits[keep - 1] % 2 == 1 : false
            }
        }
        digits = Array(digits[..<keep])
        var carry = roundUp
        var index = digits.count - 1
        while carry, index >= 0 {
            digits[index] += 1
            if digits[index] == 10 {
                digits[index] = 0
                index -= 1
            } else {
                carry = false
            }
        }
        var text = carry ? "1" : ""
        text += digits.map(String.init).joined()
        if text.isEmpty { text = "0" }
        let magnitude = Double(text + "e\(-precision)") ?? 0
        return number < 0 ? -magnitude : magnitude
    }
}
