/// Python's `textwrap.wrap` as jinja2's `wordwrap` calls it (`expand_tabs=False`,
/// `replace_whitespace=False`, `drop_whitespace=True`, no indents): the text is cut into
/// chunks (whitespace runs, words, and with `breakOnHyphens` the parts of hyphenated words),
/// and lines are filled greedily up to `width` characters.
struct TextWrapper {
    let width: Int
    let breakLongWords: Bool
    let breakOnHyphens: Bool

    /// textwrap's `wordsep_re` and `wordsep_simple_re`.
    private static let wordSeparators: PythonRegex = {
        let whitespace = "[\\t\\n\\x{0B}\\f\\r ]"
        let noWhitespace = "[^\\t\\n\\x{0B}\\f\\r ]"
        let wordPunctuation = "[{w}!\"'&.,?]"
        let letter = "[[{w}]&&[^\\p{Nd}]]"
        return PythonRegex(
            "(" + whitespace + "+"
                + "|(?<=" + wordPunctuation + ")-{2,}(?=[{w}])"
                + "|" + noWhitespace + "+?(?:"
                + "-(?:(?<=" + letter + "{2}-)|(?<=" + letter + "-" + letter + "-))(?=" + letter + "-?" + letter + ")"
                + "|(?=" + whitespace + "|\\z)"
                + "|(?<=" + wordPunctuation + ")(?=-{2,}[{w}])"
                + "))")
    }()
    private static let whitespaceRuns = PythonRegex("([\\t\\n\\x{0B}\\f\\r ]+)")

    func wrap(_ text: String) throws -> [String] {
        guard width > 0 else { throw TemplateFailure.type("invalid width \(width) (must be > 0)") }
        let separators = breakOnHyphens ? Self.wordSeparators : Self.whitespaceRuns
        var chunks = separators.splitKeepingSeparators(text).map { Array($0.unicodeScalars) }
        chunks.reverse()
        var lines: [String] = []
        func isBlank(_ chunk: [Unicode.Scalar]) -> Bool { chunk.allSatisfy(StringMethods.isPythonSpace) }
        while !chunks.isEmpty {
            var line: [[Unicode.Scalar]] = []
            var length = 0
            if let last = chunks.last, isBlank(last), !lines.isEmpty { chunks.removeLast() }
            while let last = chunks.last, length + last.count <= width {
                line.append(chunks.removeLast())
                length += last.count
            }
            if let last = chunks.last, last.count > width {
                handleLongWord(&chunks, &line, length)
                length = line.reduce(0) { $0 + $1.count }
            }
            if let last = line.last, isBlank(last) {
                length -= last.count
                line.removeLast()
            }
            if !line.isEmpty { lines.append(line.map { String(String.UnicodeScalarView($0)) }.joined()) }
        }
        return lines
    }

    private func handleLongWord(_ chunks: inout [[Unicode.Scalar]], _ line: inout [[Unicode.Scalar]], _ length: Int) {
        let spaceLeft = width < 1 ? 1 : width - length
        guard let chunk = chunks.last else { return }
        if breakLongWords {
            var end = spaceLeft
            if breakOnHyphens, chunk.count > spaceLeft,
                let hyphen = chunk[..<spaceLeft].lastIndex(of: "-"), hyphen > 0, chunk[..<hyphen].contains(where: { $0 != "-" })
            {
                end = hyphen + 1
            }
            line.append(Array(chunk[..<end]))
            chunks[chunks.count - 1] = Array(chunk[end...])
        } else if line.isEmpty {
            line.append(chunks.removeLast())
        }
    }
}
