import Foundation

/// jinja2's filters over text: `indent`, `center`, `wordcount`, `wordwrap`, `striptags`,
/// `forceescape`, `urlencode`, `urlize`, `filesizeformat` and `xmlattr`, each as jinja2 3.1
/// writes it (with Python's `str.splitlines`, `textwrap.wrap`, `urllib.parse.quote` and
/// `html.unescape` semantics where it calls them). Widths are checked against the string limit
/// before anything is built.
enum TextFilters {
    static let names: Set<String> = [
        "indent", "center", "wordcount", "wordwrap", "striptags", "forceescape", "urlencode", "urlize", "filesizeformat", "xmlattr",
    ]

    static func apply(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Value {
        switch name {
        case "indent": return .string(try indent(try value.printed(), arguments))
        case "center":
            let width = try integer(arguments.value(0, "width"), default: 80, "center() width")
            return .string(try center(try value.printed(), width))
        case "wordcount": return .int(wordCount(try value.printed()))
        case "wordwrap": return .string(try wordwrap(try value.printed(), arguments))
        case "striptags": return .string(striptags(try value.printed()))
        case "forceescape": return .string(escape(try value.printed()))
        case "urlencode": return .string(try urlencode(value))
        case "urlize": return .string(try urlize(try value.printed(), arguments))
        case "filesizeformat": return .string(try filesizeformat(value, binary: arguments.value(0, "binary")?.isTruthy ?? false))
        case "xmlattr": return .string(try xmlattr(value, autospace: arguments.value(0, "autospace")?.isTruthy ?? true))
        default: throw TemplateFailure.type("no filter named '\(name)'")
        }
    }

    /// An integer argument (a bool counts, as in Python), or `fallback` when it is not given.
    static func integer(_ value: Value?, default fallback: Int, _ what: String) throws -> Int {
        switch value {
        case nil, .undefined?: return fallback
        case let .int(number)?: return number
        case let .bool(flag)?: return flag ? 1 : 0
        case let other?: throw TemplateFailure.type("\(what) must be an integer, not '\(other.typeName)'")
        }
    }

    /// markupsafe's `escape`: `& < > " '` as entities.
    static func escape(_ text: String) -> String { HTMLText.escaped(text) }

    // MARK: Python string helpers

    /// Python's `str.splitlines()`: lines broken at `\n`, `\r`, `\r\n`, `\v`, `\f`, `\x1c`–`\x1e`,
    /// `\x85`, U+2028 and U+2029, without their ends.
    static func splitlines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                lines.append(String(current))
                current = String.UnicodeScalarView()
            case 0x0D:
                lines.append(String(current))
                current = String.UnicodeScalarView()
                if pending == "\n" { pending = scalars.next() }
            default:
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Python's `str.split()` with no separator: runs of whitespace split, ends dropped.
    static func splitWhitespace(_ text: String) -> [String] {
        text.unicodeScalars.split(whereSeparator: StringMethods.isPythonSpace).map { String(String.UnicodeScalarView($0)) }
    }

    // MARK: The filters

    private static func indent(_ text: String, _ arguments: Arguments) throws -> String {
        let indention: String
        switch arguments.value(0, "width") {
        case let .string(given)?: indention = given
        case let width:
            let count = try integer(width, default: 4, "indent() width")
            try RenderLimits.checkWidth(count, "indent width")
            indention = String(repeating: " ", count: max(0, count))
        }
        let first = arguments.value(1, "first")?.isTruthy ?? false
        let blank = arguments.value(2, "blank")?.isTruthy ?? false
        var lines = splitlines(text + "\n")
        let indented = lines.count - (blank ? 1 : 0) + (first ? 1 : 0)
        try RenderLimits.checkString(text.utf8.count &+ 1 &+ RenderLimits.product(max(0, indented), indention.utf8.count), "indent")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indention)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        return first ? indention + result : result
    }

    /// Python's `str.center(width)`: CPython puts the odd space on the left when both the
    /// padding and the width are odd.
    static func center(_ text: String, _ width: Int) throws -> String {
        try RenderLimits.checkWidth(width, "center width")
        let length = text.unicodeScalars.count
        let margin = width - length
        guard margin > 0 else { return text }
        let left = margin / 2 + (margin & width & 1)
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: margin - left)
    }

    /// Python's `\w` for a `str` pattern: a letter, a character with a numeric value, or `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar.properties.numericType != nil
        }
    }

    /// `len(re.findall(r"\w+", text))`.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let word = isWordCharacter(scalar)
            if word, !inWord { count += 1 }
            inWord = word
        }
        return count
    }

    private static func wordwrap(_ text: String, _ arguments: Arguments) throws -> String {
        let width = try integer(arguments.value(0, "width"), default: 79, "wordwrap() width")
        let breakLongWords = arguments.value(1, "break_long_words")?.isTruthy ?? true
        let wrapstring: String
        switch arguments.value(2, "wrapstring") {
        case nil, .none?, .undefined?: wrapstring = "\n"
        case let other?: wrapstring = try other.printed()
        }
        let breakOnHyphens = arguments.value(3, "break_on_hyphens")?.isTruthy ?? true
        let wrapper = TextWrapper(width: width, breakLongWords: breakLongWords, breakOnHyphens: breakOnHyphens)
        let paragraphs = try splitlines(text).map { try wrapper.wrap($0).joined(separator: wrapstring) }
        return try Filters.joined(paragraphs, separator: wrapstring)
    }

    /// markupsafe's `striptags`: one scan that drops each `<!-- … -->` comment and `<…>` tag,
    /// stopping at the first one left open; whitespace collapsed to single spaces; then
    /// `html.unescape`.
    static func striptags(_ text: String) -> String {
        let value = Array(text.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var position = 0
        let comment = Array("<!--".unicodeScalars), commentEnd = Array("-->".unicodeScalars)
        while let start = find(["<"], in: value, from: position) {
            let end: Int
            if value[start...].starts(with: comment) {
                guard let close = find(commentEnd, in: value, from: start + 4) else { break }
                end = close + 3
            } else {
                guard let close = find([">"], in: value, from: start) else { break }
                end = close + 1
            }
            kept.append(contentsOf: value[position..<start])
            position = end
        }
        kept.append(contentsOf: value[position...])
        return unescapeHTML(splitWhitespace(String(kept)).joined(separator: " "))
    }

    private static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
    }

    /// Python's `html.unescape`: `&#NN;`, `&#xHH;` and named references (the longest known
    /// prefix of a name without `;`), as the HTML5 parsing rules say.
    static func unescapeHTML(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
        func isHex(_ s: Unicode.Scalar) -> Bool { isDigit(s) || ("a"..."f").contains(s) || ("A"..."F").contains(s) }
        while index < scalars.count {
            guard scalars[index] == "&", index + 1 < scalars.count else {
                result.append(scalars[index])
                index += 1
                continue
            }
            var end = index + 1
            var replacement: String?
            if scalars[end] == "#" {
                var digitsStart = end + 1
                let hex = digitsStart < scalars.count && (scalars[digitsStart] == "x" || scalars[digitsStart] == "X")
                if hex { digitsStart += 1 }
                var digitsEnd = digitsStart
                while digitsEnd < scalars.count, hex ? isHex(scalars[digitsEnd]) : isDigit(scalars[digitsEnd]) { digitsEnd += 1 }
                if digitsEnd > digitsStart {
                    end = digitsEnd
                    if end < scalars.count, scalars[end] == ";" { end += 1 }
                    let digits = String(String.UnicodeScalarView(scalars[digitsStart..<digitsEnd]))
                    let number = UInt64(digits.drop { $0 == "0" }.prefix(12), radix: hex ? 16 : 10) ?? 0
                    let tooLong = digits.drop { $0 == "0" }.count > 12
                    if let fixed = HTMLEntities.invalidCharacterReferences[UInt32(truncatingIfNeeded: number)], !tooLong {
                        replacement = fixed
                    } else if tooLong || (0xD800...0xDFFF).contains(number) || number > 0x10FFFF {
                        replacement = "\u{FFFD}"
                    } else if HTMLEntities.invalidCodePoints.contains(UInt32(number)) {
                        replacement = ""
                    } else {
                        replacement = Unicode.Scalar(UInt32(number)).map { String(Character($0)) } ?? "\u{FFFD}"
                    }
                }
            } else {
                // [^\t\n\f <&#;]{1,32};?
                var nameEnd = end
                while nameEnd < scalars.count, nameEnd - end < 32, !"\t\n\u{0C} <&#;".unicodeScalars.contains(scalars[nameEnd]) { nameEnd += 1 }
                if nameEnd > end {
                    var name = String(String.UnicodeScalarView(scalars[end..<nameEnd]))
                    var matchEnd = nameEnd
                    if matchEnd < scalars.count, scalars[matchEnd] == ";" {
                        name += ";"
                        matchEnd += 1
                    }
                    end = matchEnd
                    if let found = HTMLEntities.named[name] {
                        replacement = found
                    } else {
                        let nameScalars = Array(name.unicodeScalars)
                        replacement = "&" + name
                        var length = nameScalars.count - 1
                        while length > 1 {
                            if let found = HTMLEntities.named[String(String.UnicodeScalarView(nameScalars[..<length]))] {
                                replacement = found + String(String.UnicodeScalarView(nameScalars[length...]))
                                break
                            }
                            length -= 1
                        }
                    }
                }
            }
            if let replacement {
                result.append(contentsOf: replacement.unicodeScalars)
                index = end
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }

    /// `urllib.parse.quote` of the UTF-8 bytes: letters, digits, `_.-~` and `safe` kept.
    private static func quote(_ text: String, forQuery: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !forQuery:
                result += "/"
            case UInt8(ascii: " ") where forQuery:
                result += "+"
            default:
                result += "%" + String(format: "%02X", byte)
            }
        }
        return result
    }

    private static func urlencode(_ value: Value) throws -> String {
        let pairs: [(Value, Value)]
        switch value {
        case .string, .int, .bigInt, .float, .bool, .none, .undefined, .callable, .namespace:
            return quote(try value.printed(), forQuery: false)
        case let .dict(box): pairs = Array(box.pairs)
        default:
            pairs = try value.iterated().map { item in
                let parts = try item.iterated()
                guard parts.count == 2 else { throw TemplateFailure.type("urlencode: expected pairs of (key, value), got \(parts.count) values") }
                return (parts[0], parts[1])
            }
        }
        return try pairs.map { "\(quote(try $0.printed(), forQuery: true))=\(quote(try $1.printed(), forQuery: true))" }.joined(separator: "&")
    }

    private static func filesizeformat(_ value: Value, binary: Bool) throws -> String {
        let bytes: Double
        switch value {
        case let .int(number): bytes = Double(number)
        case let .float(number): bytes = number
        case let .bool(flag): bytes = flag ? 1 : 0
        case let .string(text):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw TemplateFailure.type("could not convert string to float: \(Value.string(text).pythonRepr)")
            }
            bytes = number
        default: throw TemplateFailure.type("float() argument must be a string or a real number, not '\(value.typeName)'")
        }
        let base: Double = binary ? 1024 : 1000
        let prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        if bytes == 1 { return "1 Byte" }
        if bytes < base { return "\(Int(exactly: bytes.rounded(.towardZero)) ?? 0) Bytes" }
        for (position, prefix) in prefixes.enumerated() {
            // base ** (i + 2), as the float Python compares and divides with.
            let exponent = position + 2
            let unit = binary ? Double(sign: .plus, exponent: 10 * exponent, significand: 1) : (Double("1e\(3 * exponent)") ?? .infinity)
            if bytes < unit || position == prefixes.count - 1 { return String(format: "%.1f", base * bytes / unit) + " " + prefix }
        }
        return ""
    }

    private static func xmlattr(_ value: Value, autospace: Bool) throws -> String {
        guard case let .dict(box) = value else { throw TemplateFailure.type("'\(value.typeName)' object has no attribute 'items'") }
        var items: [String] = []
        for (key, item) in box.pairs {
            if case .none = item { continue }
            if item.isUndefined { continue }
            guard case let .string(name) = key else { throw TemplateFailure.type("expected string or bytes-like object, got '\(key.typeName)'") }
            if name.unicodeScalars.contains(where: { " \t\n\r\u{0B}\u{0C}/>=".unicodeScalars.contains($0) }) {
                throw TemplateFailure.type("Invalid character in attribute name: \(key.pythonRepr)")
            }
            items.append("\(escape(name))=\"\(escape(try item.printed()))\"")
        }
        let joined = items.joined(separator: " ")
        return autospace && !joined.isEmpty ? " " + joined : joined
    }

    // MARK: urlize

    /// Python's `str.count`: non-overlapping occurrences.
    private static func count(_ pattern: String, in text: String) -> Int {
        var found = 0
        var rest = text[...]
        while let range = rest.range(of: pattern, options: .literal) {
            found += 1
            rest = rest[range.upperBound...]
        }
        return found
    }

    private static let httpPattern = PythonRegex(
        "^((https?://|www\\.)(([{w}%-]+\\.)+)?([a-z]{2,63}|xn--[{w}%]{2,59})|([{w}%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)"
            + "|(https?://)((([\\p{Nd}]{1,3})(\\.[\\p{Nd}]{1,3}){3})|(\\[([\\p{Nd}a-f]{0,4}:){2}([\\p{Nd}a-f]{0,4}:?){1,6}])))"
            + "(?::[\\p{Nd}]{1,5})?(?:[/?#][^{s}]*)?$", caseInsensitive: true)
    private static let emailPattern = PythonRegex("^[^{s}]+@[{w}][{w}.-]*\\.[{w}]+$")
    private static let whitespaceSplit = PythonRegex("([{s}]+)")
    private static let leadPattern = PythonRegex("^([(<]|&lt;)+")
    private static let trailPattern = PythonRegex("([)>.,\\n]|&gt;)+$")
    private static let schemePattern = PythonRegex("^([{w}.+-]{2,}:(/){0,2})$")

    /// jinja2's `urlize` with the default policies (`rel="noopener"`, no target).
    private static func urlize(_ text: String, _ arguments: Arguments) throws -> String {
        var trimLimit: Int?
        if case let .int(limit)? = arguments.value(0, "trim_url_limit") { trimLimit = limit }
        let nofollow = arguments.value(1, "nofollow")?.isTruthy ?? false
        var target: String?
        if let given = arguments.value(2, "target"), given.isTruthy { target = try given.printed() }
        var relParts = Set(splitWhitespace(try arguments.value(3, "rel").map { $0.isTruthy ? try $0.printed() : "" } ?? ""))
        if nofollow { relParts.insert("nofollow") }
        relParts.insert("noopener")
        let rel = relParts.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.joined(separator: " ")
        var schemes: [String] = []
        switch arguments.value(4, "extra_schemes") {
        case nil, .none?, .undefined?: break
        case let given?: schemes = try given.iterated().map { try $0.printed() }
        }
        for scheme in schemes where schemePattern.matchesPrefix(of: scheme) == nil {
            throw TemplateFailure.type("\(Value.string(scheme).pythonRepr) is not a valid URI scheme prefix.")
        }
        func trim(_ url: String) -> String {
            guard let trimLimit, url.unicodeScalars.count > trimLimit else { return url }
            return String(String.UnicodeScalarView(url.unicodeScalars.prefix(max(0, trimLimit)))) + "..."
        }
        let relAttribute = rel.isEmpty ? "" : " rel=\"\(escape(rel))\""
        let targetAttribute = target.map { " target=\"\(escape($0))\"" } ?? ""
        var words = whitespaceSplit.splitKeepingSeparators(escape(text))
        for (index, word) in words.enumerated() {
            var head = "", middle = word, tail = ""
            if let lead = leadPattern.matchesPrefix(of: middle) {
                head = String(middle[lead])
                middle = String(middle[lead.upperBound...])
            }
            if [")", ">", ".", ",", "\n", "&gt;"].contains(where: middle.hasSuffix), let trail = trailPattern.matches(in: middle).first {
                tail = String(middle[trail])
                middle = String(middle[..<trail.lowerBound])
            }
            for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
                let opened = count(open, in: middle)
                guard opened > count(close, in: middle) else { continue }
                for _ in 0..<min(opened, count(close, in: tail)) {
                    guard let found = tail.range(of: close) else { break }
                    middle += tail[..<found.upperBound]
                    tail = String(tail[found.upperBound...])
                }
            }
            if httpPattern.matchesPrefix(of: middle) != nil {
                let href = middle.hasPrefix("https://") || middle.hasPrefix("http://") ? middle : "https://" + middle
                middle = "<a href=\"\(href)\"\(relAttribute)\(targetAttribute)>\(trim(middle))</a>"
            } else if middle.hasPrefix("mailto:"), emailPattern.matchesPrefix(of: String(middle.dropFirst(7))) != nil {
                middle = "<a href=\"\(middle)\">\(middle.dropFirst(7))</a>"
            } else if middle.contains("@"), !middle.hasPrefix("www."), !middle.hasPrefix("@"), !middle.contains(":"),
                emailPattern.matchesPrefix(of: middle) != nil
            {
                middle = "<a href=\"mailto:\(middle)\">\(middle)</a>"
            } else {
                for scheme in schemes where middle != scheme && middle.hasPrefix(scheme) {
                    middle = "<a href=\"\(middle)\"\(relAttribute)\(targetAttribute)>\(middle)</a>"
                }
            }
            words[index] = head + middle + tail
        }
        return words.joined()
    }
}
