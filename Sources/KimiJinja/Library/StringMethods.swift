import Foundation

/// The Python `str` methods templates call.
package enum StringMethods {
    static func method(_ s: String, _ name: String) -> Value? {
        let body: (@Sendable (Arguments) throws -> Value)?
        switch name {
        case "strip", "lstrip", "rstrip":
            body = { arguments in .string(try strip(s, arguments.value(0, "chars"), leading: name != "rstrip", trailing: name != "lstrip")) }
        case "split", "rsplit":
            body = { arguments in try split(s, arguments.value(0, "sep"), arguments.value(1, "maxsplit"), fromRight: name == "rsplit") }
        case "startswith", "endswith":
            body = { arguments in
                guard let prefix = arguments.value(0, "prefix") else { throw TemplateFailure.type("\(name) takes at least 1 argument") }
                let candidates: [Value]
                if case let .tuple(items) = prefix { candidates = items } else { candidates = [prefix] }
                return .bool(
                    try candidates.contains { candidate in
                        guard case let .string(p) = candidate else { throw TemplateFailure.type("\(name) first arg must be str or a tuple of str") }
                        return name == "startswith"
                            ? s.unicodeScalars.starts(with: p.unicodeScalars)
                            : s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed())
                    })
            }
        case "format": body = { arguments in .string(try PrintfFormat.strFormat(s, arguments)) }
        case "isspace": body = { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonSpace)) }
        case "isnumeric": body = { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "swapcase":
            body = { _ in
                .string(
                    String(
                        s.map { character -> String in
                            character.isUppercase ? character.lowercased() : character.isLowercase ? character.uppercased() : String(character)
                        }.joined()))
            }
        case "upper": body = { _ in .string(s.uppercased()) }
        case "lower": body = { _ in .string(s.lowercased()) }
        case "title": body = { _ in .string(Filters.title(s)) }
        case "capitalize": body = { _ in .string(Filters.capitalize(s)) }
        case "replace":
            body = { arguments in
                guard case let .string(old)? = arguments.value(0, "old"), case let .string(new)? = arguments.value(1, "new") else {
                    throw TemplateFailure.type("replace() arguments must be str")
                }
                var count = -1
                if case let .int(c)? = arguments.value(2, "count") { count = c }
                return .string(try Filters.replace(s, old, new, count: count))
            }
        case "find":
            body = { arguments in
                guard case let .string(needle)? = arguments.value(0, "sub") else { throw TemplateFailure.type("find() argument must be str") }
                guard let range = s.range(of: needle) else { return .int(-1) }
                return .int(s.unicodeScalars.distance(from: s.startIndex, to: range.lowerBound))
            }
        case "join":
            body = { arguments in
                guard let items = arguments.value(0, "iterable") else { throw TemplateFailure.type("join() takes exactly one argument") }
                return .string(
                    try Filters.joined(
                        try items.iterated().map { item in
                            guard case let .string(text) = item else {
                                throw TemplateFailure.type("sequence item: expected str instance, \(item.typeName) found")
                            }
                            return text
                        }, separator: s))
            }
        case "isdigit":
            body = { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
        default: body = nil
        }
        return body.map { .callable(Callable(name: name, body: $0)) }
    }

    package static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool { Lexer.isPythonSpace(scalar) }

    /// `s.strip()`: Python's whitespace removed from both ends.
    package static func pythonStripped(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
            let last = scalars.lastIndex(where: { !isPythonSpace($0) })
        else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    /// `str.strip([chars])`.
    static func strip(_ s: String, _ chars: Value?, leading: Bool, trailing: Bool) throws -> String {
        let remove: (Unicode.Scalar) -> Bool
        switch chars {
        case nil, .none?: remove = isPythonSpace
        case let .string(set)?: remove = { set.unicodeScalars.contains($0) }
        default: throw TemplateFailure.type("strip arg must be None or str")
        }
        var scalars = Array(s.unicodeScalars)[...]
        if leading { scalars = scalars.drop(while: remove) }
        if trailing { while let last = scalars.last, remove(last) { scalars = scalars.dropLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `str.split(sep=None, maxsplit=-1)` and `rsplit`.
    static func split(_ s: String, _ separator: Value?, _ maxSplit: Value?, fromRight: Bool) throws -> Value {
        var limit = -1
        if case let .int(m)? = maxSplit { limit = m }
        var parts: [String] = []
        switch separator {
        case nil, .none?:
            let words = s.unicodeScalars.split(whereSeparator: isPythonSpace).map { String(String.UnicodeScalarView($0)) }
            if limit < 0 || words.count <= limit + 1 {
                parts = words
            } else if !fromRight {
                // Keep the rest of the text after `limit` splits, leading whitespace removed.
                var rest = Substring(s)
                for _ in 0..<limit {
                    rest = rest.drop { $0.unicodeScalars.allSatisfy(isPythonSpace) }
                    let word = rest.prefix { !$0.unicodeScalars.allSatisfy(isPythonSpace) }
                    parts.append(String(word))
                    rest = rest.dropFirst(word.count)
                }
                parts.append(String(rest.drop { $0.unicodeScalars.allSatisfy(isPythonSpace) }))
            } else {
                throw TemplateFailure.type("rsplit() with maxsplit and no separator is not supported")
            }
        case let .string(sep)?:
            guard !sep.isEmpty else { throw TemplateFailure.type("empty separator") }
            var pieces = s.components(separatedBy: sep)
            if limit >= 0, pieces.count > limit + 1 {
                if fromRight {
                    let head = pieces[..<(pieces.count - limit)].joined(separator: sep)
                    pieces = [head] + pieces[(pieces.count - limit)...]
                } else {
                    let tail = pieces[limit...].joined(separator: sep)
                    pieces = Array(pieces[..<limit]) + [tail]
                }
            }
            parts = pieces
        default:
            throw TemplateFailure.type("must be str or None, not \(separator?.typeName ?? "")")
        }
        return .list(parts.map(Value.string))
    }
}
