import KimiUnicode

/// Raw model output as Unicode scalars, searched the way the engines' Python searches a `str`:
/// by code point, with the character classes of Python's `re` and of the `regex` module.
struct OutputText {
    let scalars: [Unicode.Scalar]

    init(_ text: String) { scalars = Array(text.unicodeScalars) }
    init(_ scalars: ArraySlice<Unicode.Scalar>) { self.scalars = Array(scalars) }

    var count: Int { scalars.count }

    /// The first index at or after `start` where `needle` begins.
    func find(_ needle: [Unicode.Scalar], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, needle.count <= scalars.count else { return needle.isEmpty ? start : nil }
        var index = max(0, start)
        while index + needle.count <= scalars.count {
            if scalars[index] == needle[0], has(needle, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `needle` begins at `index`.
    func has(_ needle: [Unicode.Scalar], at index: Int) -> Bool {
        guard index >= 0, index + needle.count <= scalars.count else { return false }
        for offset in needle.indices where scalars[index + offset] != needle[offset] { return false }
        return true
    }

    /// The first index at or after `index` whose scalar fails `predicate`.
    func skip(from index: Int, while predicate: (Unicode.Scalar) -> Bool) -> Int {
        var end = index
        while end < scalars.count, predicate(scalars[end]) { end += 1 }
        return end
    }

    /// The text of `range`.
    func string(_ range: Range<Int>) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[range])
        return String(text)
    }

    /// The text from `start` to the end.
    func string(from start: Int) -> String { string(min(start, count)..<count) }

    /// The marker `<|open|>NAME<|sep|>` (or `<|close|>…`) at `index`, with any run of `space`
    /// characters around NAME as the `\s*` of the engines' patterns allows; the index after it.
    func marker(_ opener: [Unicode.Scalar], _ name: [Unicode.Scalar], at index: Int, space: (Unicode.Scalar) -> Bool) -> Int? {
        guard has(opener, at: index) else { return nil }
        let nameStart = skip(from: index + opener.count, while: space)
        guard has(name, at: nameStart) else { return nil }
        let sepStart = skip(from: nameStart + name.count, while: space)
        guard has(Self.sep, at: sepStart) else { return nil }
        return sepStart + Self.sep.count
    }

    /// The first such marker at or after `start`, as the range it covers.
    func findMarker(_ opener: [Unicode.Scalar], _ name: [Unicode.Scalar], from start: Int, space: (Unicode.Scalar) -> Bool) -> Range<Int>? {
        var index = start
        while let found = find(opener, from: index) {
            if let end = marker(opener, name, at: found, space: space) { return found..<end }
            index = found + 1
        }
        return nil
    }

    /// The text with every such marker removed (`re.sub(marker, "", text)`).
    func removingMarkers(_ opener: [Unicode.Scalar], _ name: [Unicode.Scalar], space: (Unicode.Scalar) -> Bool) -> String {
        var kept = String.UnicodeScalarView()
        var index = 0
        while let range = findMarker(opener, name, from: index, space: space) {
            kept.append(contentsOf: scalars[index..<range.lowerBound])
            index = range.upperBound
        }
        kept.append(contentsOf: scalars[index...])
        return String(kept)
    }

    static let open = Array("<|open|>".unicodeScalars)
    static let close = Array("<|close|>".unicodeScalars)
    static let sep = Array("<|sep|>".unicodeScalars)
}

/// The character classes of the engines' Python code.
enum PythonCharacters {
    /// `str.isspace()`, which `str.strip()` and `re`'s `\s` use.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeClassTable.kimi.classes(of: scalar.value).contains(.pythonSpace)
    }

    /// The `regex` module's `\s`: the Unicode `White_Space` property.
    static func isRegexSpace(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeClassTable.kimi.classes(of: scalar.value).contains(.whiteSpace)
    }

    /// `\d` of `re` and of the `regex` module: a decimal digit (`Nd`).
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    /// `re`'s `\w`: a letter, a number or `_`.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || UnicodeClassTable.kimi.classes(of: scalar.value).contains(.letter)
            || UnicodeClassTable.kimi.classes(of: scalar.value).contains(.number)
    }

    /// The `regex` module's `\w`: alphabetic, a mark, a decimal digit or a connector.
    static func isRegexWord(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return properties.isAlphabetic || properties.isJoinControl
        }
    }

    /// `text.strip()`.
    static func strip(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return OutputText(scalars[first...last]).string(0..<(last - first + 1))
    }

    /// `text.rstrip()`.
    static func rstrip(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return OutputText(scalars[...last]).string(0..<(last + 1))
    }
}
