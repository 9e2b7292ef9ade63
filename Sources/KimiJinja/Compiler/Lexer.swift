/// A token of Jinja source.
struct Token: Equatable {
    enum Kind: Equatable {
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String), string(String), integer(Int), bigInteger(String), float(Double)
        case op(String)
        case end
    }
    let kind: Kind
    /// Where the token starts, and where the source after it starts.
    let location: TemplatePosition
    let end: TemplatePosition
}

/// Splits template source into tokens with jinja2's rules as transformers configures them:
/// `trim_blocks` and `lstrip_blocks` on, `-`/`+` whitespace control, comments dropped, line
/// endings normalised to `\n`, and one trailing newline removed (`keep_trailing_newline=False`).
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []
    /// Whether the tag before the current text ended a line, or the template just began
    /// (jinja2's `line_starting`).
    private var lineStarting = true

    init(source: String) {
        // jinja2 splits on \r\n, \r and \n, joins with \n, and drops one trailing newline.
        var lines = source.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last == "" { lines.removeLast() }
        scalars = Array(lines.joined(separator: "\n").unicodeScalars)
    }

    static func tokenize(_ source: String) throws(TemplateError) -> [Token] {
        var lexer = Lexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private var here: TemplatePosition { TemplatePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func advance() {
        if scalars[position] == "\n" { line += 1; column = 1 } else { column += 1 }
        position += 1
    }

    private func startsWith(_ text: String) -> Bool {
        var offset = 0
        for scalar in text.unicodeScalars {
            guard peek(offset) == scalar else { return false }
            offset += 1
        }
        return true
    }

    private func error(_ message: String, at location: TemplatePosition? = nil) -> TemplateError {
        TemplateError(kind: .syntax, message: message, file: "", location: location ?? here)
    }

    private mutating func run() throws(TemplateError) {
        var text = ""
        var textLocation = here
        while position < scalars.count {
            if startsWith("{{") || startsWith("{%") || startsWith("{#") {
                let opener = peek(1)!
                let modifier = peek(2)
                let tagLocation = here
                // Whitespace control of the text before the tag.
                if modifier == "-" {
                    text = String(String.UnicodeScalarView(text.unicodeScalars.reversed().drop(while: Self.isPythonSpace).reversed()))
                } else if modifier != "+", opener != "{" {
                    text = Self.lstripLastLine(text, lineStarting: lineStarting)
                }
                if !text.isEmpty { tokens.append(Token(kind: .text(text), location: textLocation, end: tagLocation)) }
                text = ""
                position += 2; column += 2
                if modifier == "-" || modifier == "+" { advance() }
                switch opener {
                case "#": try skipComment(from: tagLocation)
                case "{":
                    tokens.append(Token(kind: .variableBegin, location: tagLocation, end: here))
                    try tagContents(closer: "}}", endKind: .variableEnd)
                default:
                    tokens.append(Token(kind: .blockBegin, location: tagLocation, end: here))
                    try tagContents(closer: "%}", endKind: .blockEnd)
                }
                textLocation = here
                continue
            }
            if text.isEmpty { textLocation = here }
            text.unicodeScalars.append(scalars[position])
            advance()
        }
        if !text.isEmpty { tokens.append(Token(kind: .text(text), location: textLocation, end: here)) }
        tokens.append(Token(kind: .end, location: here, end: here))
    }

    /// Python's `str.isspace`, which `str.rstrip()` and `re`'s `\s` use.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }

    /// lstrip_blocks: spaces and tabs between the start of a line and a block tag go.
    private static func lstripLastLine(_ text: String, lineStarting: Bool) -> String {
        let view = text.unicodeScalars
        let lastNewline = view.lastIndex(of: "\n")
        let lineStart = lastNewline.map { view.index(after: $0) } ?? view.startIndex
        guard lastNewline != nil || lineStarting else { return text }
        guard view[lineStart...].allSatisfy({ $0 == " " || $0 == "\t" }) else { return text }
        return String(String.UnicodeScalarView(view[..<lineStart]))
    }

    /// After the closing delimiter: `-` strips all following whitespace; for blocks and
    /// comments, trim_blocks removes one newline.
    private mutating func afterTag(strip: Bool, trimNewline: Bool) {
        if strip {
            while let scalar = peek(), Self.isPythonSpace(scalar) { advance() }
            lineStarting = false
        } else if trimNewline, peek() == "\n" {
            advance()
            lineStarting = true
        } else {
            lineStarting = false
        }
    }

    private mutating func skipComment(from start: TemplatePosition) throws(TemplateError) {
        while position < scalars.count {
            if startsWith("-#}") {
                position += 3; column += 3
                afterTag(strip: true, trimNewline: true)
                return
            }
            if startsWith("#}") {
                let stripped = position > 0 && scalars[position - 1] == "+"
                position += 2; column += 2
                afterTag(strip: false, trimNewline: !stripped)
                return
            }
            advance()
        }
        throw error("comment never closed (missing '#}')", at: start)
    }

    /// A tag's tokens up to its closer. As in jinja2, the closer ends the tag only where every
    /// bracket opened in it is closed, so `{{ {'a': {'b': 1}} }}` is one expression.
    private mutating func tagContents(closer: String, endKind: Token.Kind) throws(TemplateError) {
        let isBlock = closer == "%}"
        var openBrackets = 0
        while true {
            while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { advance() }
            guard let scalar = peek() else { throw error("tag never closed (missing '\(closer)')") }
            let location = here
            if openBrackets > 0 {
                // No closer while a bracket is open: fall through to the operators.
            } else if scalar == "-" || scalar == "+", startsWith(String(scalar) + closer) {
                advance(); position += 2; column += 2
                tokens.append(Token(kind: endKind, location: location, end: here))
                afterTag(strip: scalar == "-", trimNewline: isBlock && scalar != "+")
                return
            }
            if openBrackets == 0, startsWith(closer) {
                position += 2; column += 2
                tokens.append(Token(kind: endKind, location: location, end: here))
                afterTag(strip: false, trimNewline: isBlock)
                return
            }
            if scalar == "'" || scalar == "\"" {
                tokens.append(Token(kind: .string(try stringLiteral()), location: location, end: here))
            } else if scalar.properties.isXIDStart || scalar == "_" {
                var name = ""
                while let s = peek(), s.properties.isXIDContinue || s == "_" { name.unicodeScalars.append(s); advance() }
                tokens.append(Token(kind: .name(name), location: location, end: here))
            } else if ("0"..."9").contains(scalar) {
                tokens.append(Token(kind: try number(), location: location, end: here))
            } else if let op = ["//", "**", "==", "!=", "<=", ">="].first(where: { startsWith($0) }) {
                position += 2; column += 2
                tokens.append(Token(kind: .op(op), location: location, end: here))
            } else if "+-*/%~<>=()[]{}.,:|".unicodeScalars.contains(scalar) {
                if "([{".unicodeScalars.contains(scalar) { openBrackets += 1 }
                if ")]}".unicodeScalars.contains(scalar) { openBrackets = max(0, openBrackets - 1) }
                advance()
                tokens.append(Token(kind: .op(String(scalar)), location: location, end: here))
            } else {
                throw error("unexpected character '\(scalar)'")
            }
        }
    }

    private mutating func number() throws(TemplateError) -> Token.Kind {
        var digits = ""
        var isFloat = false
        while let s = peek(),
            ("0"..."9").contains(s) || s == "_" || (s == "." && !isFloat && peek(1).map { ("0"..."9").contains($0) } == true)
                || ((s == "e" || s == "E") && !digits.contains("e"))
        {
            if s == "." || s == "e" || s == "E" { isFloat = true }
            if s != "_" { digits.unicodeScalars.append(s == "E" ? "e" : s) }
            advance()
            if s == "e" || s == "E", let sign = peek(), sign == "+" || sign == "-" { digits.unicodeScalars.append(sign); advance() }
        }
        if isFloat, let value = Double(digits) { return .float(value) }
        if let value = Int(digits) { return .integer(value) }
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return .bigInteger(String(digits.drop { $0 == "0" }).isEmpty ? "0" : String(digits.drop { $0 == "0" }))
        }
        throw error("invalid number '\(digits)'")
    }

    /// A Python string literal body with its escapes.
    private mutating func stringLiteral() throws(TemplateError) -> String {
        let start = here
        let quote = scalars[position]
        advance()
        var result = ""
        while let scalar = peek() {
            advance()
            if scalar == quote { return result }
            guard scalar == "\\", let escaped = peek() else { result.unicodeScalars.append(scalar); continue }
            advance()
            switch escaped {
            case "n": result += "\n"
            case "t": result += "\t"
            case "r": result += "\r"
            case "\\": result += "\\"
            case "'": result += "'"
            case "\"": result += "\""
            case "0": result += "\0"
            case "\n": break
            case "x", "u", "U":
                let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<width { if let h = peek() { hex.unicodeScalars.append(h); advance() } }
                guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else {
                    throw error("invalid \\\(escaped) escape in string", at: start)
                }
                result.unicodeScalars.append(decoded)
            default:
                result += "\\"
                result.unicodeScalars.append(escaped)
            }
        }
        throw error("string literal never closed", at: start)
    }
}
