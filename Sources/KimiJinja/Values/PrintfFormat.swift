import Foundation

/// Python's string formatting on template values: `%`-formatting (`'%s: %d' % args`, the
/// `format` filter) and `str.format` (`'{} {:>5}'.format(...)`), for the conversions templates
/// use: `s r d i f F e E g G x X o c %` with flags, width and precision, mapping keys
/// (`%(name)s`), and for `str.format` automatic, numbered and named fields with `!r`/`!s` and
/// the format mini-language (fill, align, sign, zero padding, width, precision, type).
enum PrintfFormat {
    /// `template % arguments`: a tuple is the positional arguments, a dict the mapping, any
    /// other value the one argument.
    static func format(_ template: String, _ arguments: Value) throws -> String {
        var positional: [Value] = []
        var mapping: Value.DictBox?
        switch arguments {
        case let .tuple(items): positional = items
        case let .dict(box): mapping = box; positional = [arguments]
        default: positional = [arguments]
        }
        var output = ""
        var scalars = template.unicodeScalars[...]
        var next = 0
        while let percent = scalars.firstIndex(of: "%") {
            output.unicodeScalars.append(contentsOf: scalars[..<percent])
            scalars = scalars[scalars.index(after: percent)...]
            var key: String?
            if scalars.first == "(" {
                guard let close = scalars.firstIndex(of: ")") else { throw TemplateFailure.type("incomplete format key") }
                key = String(String.UnicodeScalarView(scalars[scalars.index(after: scalars.startIndex)..<close]))
                scalars = scalars[scalars.index(after: close)...]
            }
            var flags = ""
            while let c = scalars.first, "-+ #0".unicodeScalars.contains(c) { flags.unicodeScalars.append(c); scalars = scalars.dropFirst() }
            let width = try RenderLimits.checkWidth(Substring(String(String.UnicodeScalarView(scalars.prefix { ("0"..."9").contains($0) }))), "format width")
            scalars = scalars.drop { ("0"..."9").contains($0) }
            var precision: Int?
            if scalars.first == "." {
                scalars = scalars.dropFirst()
                precision =
                    try RenderLimits.checkWidth(Substring(String(String.UnicodeScalarView(scalars.prefix { ("0"..."9").contains($0) }))), "format precision")
                    ?? 0
                scalars = scalars.drop { ("0"..."9").contains($0) }
            }
            guard let conversion = scalars.first else { throw TemplateFailure.type("incomplete format") }
            scalars = scalars.dropFirst()
            if conversion == "%" { output += "%"; continue }
            let argument: Value
            if let key {
                guard let mapping, let found = mapping[.string(key)] else { throw TemplateFailure.type("format requires a mapping with key '\(key)'") }
                argument = found
            } else {
                guard next < positional.count else { throw TemplateFailure.type("not enough arguments for format string") }
                argument = positional[next]
                next += 1
            }
            output += try convert(argument, Character(conversion), flags: flags, width: width, precision: precision)
        }
        output.unicodeScalars.append(contentsOf: scalars)
        if mapping == nil, next < positional.count { throw TemplateFailure.type("not all arguments converted during string formatting") }
        return output
    }

    private static func convert(_ value: Value, _ conversion: Character, flags: String, width: Int?, precision: Int?) throws -> String {
        var text: String
        var numeric = false
        switch conversion {
        case "s": text = try value.printed()
        case "r", "a": text = try value.printed(repr: true)
        case "d", "i", "u":
            text = String(try integer(value))
            numeric = true
        case "x", "X", "o":
            let number = try integer(value)
            text = String(abs(number), radix: conversion == "o" ? 8 : 16, uppercase: conversion == "X")
            if flags.contains("#") { text = (conversion == "o" ? "0o" : conversion == "x" ? "0x" : "0X") + text }
            if number < 0 { text = "-" + text }
            numeric = true
        case "f", "F", "e", "E", "g", "G":
            let number = try double(value)
            text = String(format: "%\(flags.contains("#") ? "#" : "").\(precision ?? 6)\(conversion)", number)
            if number.isNaN { text = conversion.isUppercase ? "NAN" : "nan" }
            if number.isInfinite { text = (number < 0 ? "-" : "") + (conversion.isUppercase ? "INF" : "inf") }
            numeric = true
        case "c":
            if case let .int(code) = value, let scalar = Unicode.Scalar(code) { text = String(Character(scalar)) } else { text = try value.printed() }
        default:
            throw TemplateFailure.type("unsupported format character '\(conversion)'")
        }
        if let precision, conversion == "s" || conversion == "r" { text = String(text.prefix(precision)) }
        if numeric, !text.hasPrefix("-") {
            if flags.contains("+") { text = "+" + text } else if flags.contains(" ") { text = " " + text }
        }
        guard let width, text.count < width else { return text }
        let padding = width - text.count
        if flags.contains("-") { return text + String(repeating: " ", count: padding) }
        if numeric, flags.contains("0") {
            let sign = text.first.map { "+- ".contains($0) } == true ? String(text.removeFirst()) : ""
            return sign + String(repeating: "0", count: padding) + text
        }
        return String(repeating: " ", count: padding) + text
    }

    private static func integer(_ value: Value) throws -> Int {
        switch value {
        case let .int(number): return number
        case let .bool(flag): return flag ? 1 : 0
        case let .float(number) where number.isFinite: return Int(number.rounded(.towardZero))
        default: throw TemplateFailure.type("%d format: a real number is required, not \(value.typeName)")
        }
    }

    private static func double(_ value: Value) throws -> Double {
        switch value {
        case let .int(number): return Double(number)
        case let .bool(flag): return flag ? 1 : 0
        case let .float(number): return number
        default: throw TemplateFailure.type("must be real number, not \(value.typeName)")
        }
    }

    // MARK: str.format

    /// `template.format(*positional, **keyword)`.
    static func strFormat(_ template: String, _ arguments: Arguments) throws -> String {
        var output = ""
        var scalars = template.unicodeScalars[...]
        var automatic = 0
        while let brace = scalars.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            output.unicodeScalars.append(contentsOf: scalars[..<brace])
            let character = scalars[brace]
            scalars = scalars[scalars.index(after: brace)...]
            if scalars.first == character {
                output.unicodeScalars.append(character)
                scalars = scalars.dropFirst()
                continue
            }
            guard character == "{" else { throw TemplateFailure.type("Single '}' encountered in format string") }
            guard let close = scalars.firstIndex(of: "}") else { throw TemplateFailure.type("Single '{' encountered in format string") }
            let field = String(String.UnicodeScalarView(scalars[..<close]))
            scalars = scalars[scalars.index(after: close)...]
            var name = field
            var spec = ""
            var conversion: Character?
            if let colon = name.firstIndex(of: ":") {
                spec = String(name[name.index(after: colon)...])
                name = String(name[..<colon])
            }
            if let bang = name.firstIndex(of: "!") {
                conversion = name[name.index(after: bang)...].first
                name = String(name[..<bang])
            }
            var value: Value
            let head = String(name.prefix { $0 != "." && $0 != "[" })
            if head.isEmpty {
                guard automatic < arguments.positional.count else {
                    throw TemplateFailure.type("Replacement index \(automatic) out of range for positional args tuple")
                }
                value = arguments.positional[automatic]
                automatic += 1
            } else if let index = Int(head) {
                guard index < arguments.positional.count else {
                    throw TemplateFailure.type("Replacement index \(index) out of range for positional args tuple")
                }
                value = arguments.positional[index]
            } else {
                guard let found = arguments.keyword.first(where: { $0.0 == head })?.1 else { throw TemplateFailure.type("'\(head)'") }
                value = found
            }
            var rest = name.dropFirst(head.count)
            while let first = rest.first {
                if first == "." {
                    let attribute = String(rest.dropFirst().prefix { $0 != "." && $0 != "[" })
                    value = try Members.attribute(value, attribute)
                    rest = rest.dropFirst(1 + attribute.count)
                } else {
                    guard let end = rest.firstIndex(of: "]") else { throw TemplateFailure.type("Missing ']' in format string") }
                    let key = String(rest[rest.index(after: rest.startIndex)..<end])
                    value = try Members.item(value, Int(key).map { .int($0) } ?? .string(key))
                    rest = rest[rest.index(after: end)...]
                }
            }
            if conversion == "r" { value = .string(try value.printed(repr: true)) } else if conversion == "s" { value = .string(try value.printed()) }
            output += try formatSpec(value, spec)
        }
        output.unicodeScalars.append(contentsOf: scalars)
        return output
    }

    /// `format(value, spec)` for the mini-language `[[fill]align][sign][#][0][width][,][.precision][type]`.
    static func formatSpec(_ value: Value, _ spec: String) throws -> String {
        if spec.isEmpty { return try value.printed() }
        var characters = Array(spec)
        var fill: Character = " "
        var align: Character?
        if characters.count >= 2, "<>^=".contains(characters[1]) {
            fill = characters[0]; align = characters[1]; characters.removeFirst(2)
        } else if let first = characters.first, "<>^=".contains(first) {
            align = first; characters.removeFirst()
        }
        var sign: Character = "-"
        if let first = characters.first, "+- ".contains(first) { sign = first; characters.removeFirst() }
        var alternate = false
        if characters.first == "#" { alternate = true; characters.removeFirst() }
        if characters.first == "0" {
            if align == nil { fill = "0"; align = "=" }
            characters.removeFirst()
        }
        let widthDigits = characters.prefix { $0.isASCII && $0.isNumber }
        let width = try RenderLimits.checkWidth(Substring(String(widthDigits)), "format width")
        characters.removeFirst(widthDigits.count)
        var grouping = false
        if characters.first == "," { grouping = true; characters.removeFirst() }
        var precision: Int?
        if characters.first == "." {
            characters.removeFirst()
            let digits = characters.prefix { $0.isASCII && $0.isNumber }
            precision = try RenderLimits.checkWidth(Substring(String(digits)), "format precision")
            characters.removeFirst(digits.count)
        }
        let type = characters.first
        guard characters.count <= 1 else { throw TemplateFailure.type("Invalid format specifier '\(spec)'") }
        var body: String
        var numeric = true
        switch (type, value) {
        case (nil, .string), ("s", _):
            numeric = false
            body = try value.printed()
            if let precision { body = String(body.prefix(precision)) }
        case (nil, .int), ("d", .int), ("d", .bool),
            (nil, .bool) where type != nil || value.isIntLike:
            body = String(try integer(value))
        case ("x", _), ("X", _), ("o", _), ("b", _):
            let number = try integer(value)
            let radix = type == "o" ? 8 : type == "b" ? 2 : 16
            body = String(abs(number), radix: radix, uppercase: type == "X")
            if alternate { body = (type == "o" ? "0o" : type == "b" ? "0b" : type == "X" ? "0X" : "0x") + body }
            if number < 0 { body = "-" + body }
        case ("f", _), ("F", _), ("e", _), ("E", _), ("g", _), ("G", _), ("%", _):
            var number = try double(value)
            var kind = type ?? "f"
            if kind == "%" { number *= 100; kind = "f" }
            body = String(format: "%.\(precision ?? 6)\(kind)", number)
            if type == "%" { body += "%" }
        case (nil, .float):
            if let precision { body = String(format: "%.\(precision)g", try double(value)) } else { body = try value.printed() }
        case (nil, _):
            numeric = false
            body = try value.printed()
        default:
            throw TemplateFailure.type("Unknown format code '\(type.map(String.init) ?? "")' for object of type '\(value.typeName)'")
        }
        if numeric, grouping, let dot = body.firstIndex(where: { $0 == "." || $0 == "e" }) ?? Optional(body.endIndex) {
            let negative = body.hasPrefix("-")
            let digits = Array(body[body.index(body.startIndex, offsetBy: negative ? 1 : 0)..<dot])
            var grouped = ""
            for (offset, digit) in digits.enumerated() {
                if offset > 0, (digits.count - offset) % 3 == 0 { grouped += "," }
                grouped.append(digit)
            }
            body = (negative ? "-" : "") + grouped + body[dot...]
        }
        if numeric, !body.hasPrefix("-") {
            if sign == "+" { body = "+" + body } else if sign == " " { body = " " + body }
        }
        guard let width, body.count < width else { return body }
        let padding = width - body.count
        switch align ?? (numeric ? ">" : "<") {
        case "<": return body + String(repeating: fill, count: padding)
        case "^": return String(repeating: fill, count: padding / 2) + body + String(repeating: fill, count: padding - padding / 2)
        case "=":
            let signPart = body.first.map { "+- ".contains($0) } == true ? String(body.removeFirst()) : ""
            return signPart + String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + body
        }
    }
}

extension Value {
    var isIntLike: Bool {
        switch self {
        case .int, .bool: true
        default: false
        }
    }
}
