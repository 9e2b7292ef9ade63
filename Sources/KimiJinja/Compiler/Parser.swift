/// Parses tokens into statements, following jinja2's grammar and operator precedence.
package struct Parser {
    private let tokens: [Token]
    private var position = 0
    /// How deep the tree being built is: each nested block, bracket, operand of a chain of
    /// operators, filter or call adds one. Parsing, rendering and freeing a tree all recurse
    /// as deep as it is, so a template nested deeper than ``maxNesting`` is refused here.
    private var nesting = 0
    static let maxNesting = 500

    package static func parse(_ source: String) throws(TemplateError) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, end) = try parser.statements(until: [])
        if let end { throw parser.error("unexpected '\(end)' with no block to close", at: parser.current.location) }
        return body
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[position] }

    private func error(_ message: String, at location: TemplatePosition? = nil) -> TemplateError {
        TemplateError(kind: .syntax, message: message, file: "", location: location ?? current.location)
    }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isName(_ name: String) -> Bool { current.kind == .name(name) }
    /// The end of the last token read: where the node being built ends.
    private var previousEnd: TemplatePosition { position > 0 ? tokens[position - 1].end : current.location }

    /// A node that starts at `start` and ends after the last token read.
    private func node(_ kind: Expression.Kind, from start: TemplatePosition) -> Expression {
        Expression(kind, SourceSpan(start: start, end: previousEnd))
    }
    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }

    /// Goes one level deeper, refusing a template nested too deeply; the caller restores
    /// `nesting` when its node is built.
    private mutating func nest() throws(TemplateError) {
        nesting += 1
        if nesting > Self.maxNesting {
            throw TemplateError(
                kind: .limit, message: "the template nests blocks, brackets or operators deeper than \(Self.maxNesting) levels", file: "",
                location: current.location)
        }
    }

    private mutating func expectOp(_ op: String) throws(TemplateError) {
        guard isOp(op) else { throw error("expected '\(op)', found \(describe(current))") }
        advance()
    }

    private mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw error("expected end of tag '%}', found \(describe(current))") }
        advance()
    }

    private mutating func expectName() throws(TemplateError) -> String {
        guard case let .name(name) = current.kind else { throw error("expected a name, found \(describe(current))") }
        advance()
        return name
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case let .text(t): "text '\(t.prefix(20))'"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case let .name(n): "'\(n)'"
        case let .string(s): "string '\(s.prefix(20))'"
        case let .integer(i): "\(i)"
        case let .bigInteger(digits): digits
        case let .float(d): "\(d)"
        case let .op(o): "'\(o)'"
        case .end: "end of template"
        }
    }

    // MARK: Statements

    /// Statements up to a block tag named in `terminators`; returns that tag's name, positioned
    /// after the name (the caller reads the rest of the tag).
    private mutating func statements(until terminators: Set<String>) throws(TemplateError) -> ([Statement], String?) {
        let outer = nesting
        defer { nesting = outer }
        try nest()
        var body: [Statement] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if !terminators.isEmpty {
                    throw error("template ended; expected one of \(terminators.sorted().map { "'\($0)'" }.joined(separator: ", "))")
                }
                return (body, nil)
            case let .text(text):
                body.append(.text(text, token.location))
                advance()
            case .variableBegin:
                advance()
                let expression = try self.expression()
                guard current.kind == .variableEnd else { throw error("expected end of print statement '}}', found \(describe(current))") }
                advance()
                body.append(.output(expression, token.location))
            case .blockBegin:
                advance()
                let nameLocation = current.location
                let name = try expectName()
                if terminators.contains(name) { return (body, name) }
                body.append(try blockStatement(name, at: nameLocation))
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    private mutating func blockStatement(_ name: String, at location: TemplatePosition) throws(TemplateError) -> Statement {
        switch name {
        case "if": return try ifStatement(at: location)
        case "for": return try forStatement(at: location)
        case "set": return try setStatement(at: location)
        case "with": return try withStatement(at: location)
        case "macro": return try macroStatement(at: location)
        case "break":
            try expectBlockEnd()
            return .breakLoop(location)
        case "continue":
            try expectBlockEnd()
            return .continueLoop(location)
        default:
            throw error("encountered unknown tag '\(name)'", at: location)
        }
    }

    private mutating func ifStatement(at location: TemplatePosition) throws(TemplateError) -> Statement {
        var branches: [(Expression, [Statement])] = []
        var condition = try expression()
        try expectBlockEnd()
        while true {
            let (body, end) = try statements(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try expression()
                try expectBlockEnd()
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try statements(until: ["endif"])
                try expectBlockEnd()
                return .conditional(branches, otherwise: otherwise, location)
            default:
                try expectBlockEnd()
                return .conditional(branches, otherwise: [], location)
            }
        }
    }

    private mutating func forStatement(at location: TemplatePosition) throws(TemplateError) -> Statement {
        var names = [try expectName()]
        while isOp(",") {
            advance()
            names.append(try expectName())
        }
        guard isName("in") else { throw error("expected 'in' in for loop, found \(describe(current))") }
        advance()
        // No inline `if` here: an `if` after the iterable is the loop filter.
        let iterable = try orExpression()
        var filter: Expression?
        if isName("if") {
            advance()
            filter = try expression()
        }
        var recursive = false
        if isName("recursive") {
            advance()
            recursive = true
        }
        try expectBlockEnd()
        let (body, end) = try statements(until: ["else", "endfor"])
        var otherwise: [Statement] = []
        try expectBlockEnd()
        if end == "else" {
            (otherwise, _) = try statements(until: ["endfor"])
            try expectBlockEnd()
        }
        let target: AssignTarget = names.count == 1 ? .name(names[0]) : .names(names)
        return .loop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, recursive: recursive, location)
    }

    private mutating func withStatement(at location: TemplatePosition) throws(TemplateError) -> Statement {
        var assignments: [(String, Expression)] = []
        while current.kind != .blockEnd {
            let name = try expectName()
            try expectOp("=")
            assignments.append((name, try expression()))
            if current.kind != .blockEnd { try expectOp(",") }
        }
        try expectBlockEnd()
        let (body, _) = try statements(until: ["endwith"])
        try expectBlockEnd()
        return .with(assignments, body, location)
    }

    private mutating func setStatement(at location: TemplatePosition) throws(TemplateError) -> Statement {
        let first = try expectName()
        var target = AssignTarget.name(first)
        if isOp(".") {
            advance()
            target = .attribute(first, try expectName())
        } else if isOp(",") {
            var names = [first]
            while isOp(",") { advance(); names.append(try expectName()) }
            target = .names(names)
        }
        if current.kind == .blockEnd, case let .name(name) = target {
            advance()
            let (body, _) = try statements(until: ["endset"])
            try expectBlockEnd()
            return .assignBlock(name, body, location)
        }
        try expectOp("=")
        let value = try tupleOrExpression()
        try expectBlockEnd()
        return .assign(target, value, location)
    }

    private mutating func macroStatement(at location: TemplatePosition) throws(TemplateError) -> Statement {
        let name = try expectName()
        try expectOp("(")
        var parameters: [(String, Expression?)] = []
        while !isOp(")") {
            let parameter = try expectName()
            var defaultValue: Expression?
            if isOp("=") {
                advance()
                defaultValue = try expression()
            }
            parameters.append((parameter, defaultValue))
            if !isOp(")") { try expectOp(",") }
        }
        advance()
        try expectBlockEnd()
        let (body, _) = try statements(until: ["endmacro"])
        if case .name = current.kind { advance() }
        try expectBlockEnd()
        return .macro(Macro(name: name, parameters: parameters, body: body, location: location))
    }

    // MARK: Expressions

    /// `a, b` as a tuple where jinja2 allows it (the right side of `set`).
    private mutating func tupleOrExpression() throws(TemplateError) -> Expression {
        let location = current.location
        let first = try expression()
        guard isOp(",") else { return first }
        var items = [first]
        while isOp(",") {
            advance()
            if current.kind == .blockEnd { break }
            items.append(try expression())
        }
        return node(.tuple(items), from: location)
    }

    mutating func expression() throws(TemplateError) -> Expression {
        let outer = nesting
        defer { nesting = outer }
        try nest()
        let location = current.location
        let value = try orExpression()
        guard isName("if") else { return value }
        advance()
        let condition = try orExpression()
        var otherwise: Expression?
        if isName("else") {
            advance()
            otherwise = try expression()
        }
        return node(.conditional(condition: condition, then: value, otherwise: otherwise), from: location)
    }

    private mutating func orExpression() throws(TemplateError) -> Expression {
        try leftAssociative(["or": .or]) { (parser) throws(TemplateError) in try parser.andExpression() }
    }

    private mutating func andExpression() throws(TemplateError) -> Expression {
        try leftAssociative(["and": .and]) { (parser) throws(TemplateError) in try parser.notExpression() }
    }

    /// One level of left-associative binary operators, spelled as operator tokens or names
    /// (`and`, `or`), each with the operator it means.
    private mutating func leftAssociative(
        _ operators: [String: BinaryOperator], _ operand: (inout Parser) throws(TemplateError) -> Expression
    ) throws(TemplateError) -> Expression {
        let outer = nesting
        defer { nesting = outer }
        var left = try operand(&self)
        while true {
            let location = current.location
            let op: BinaryOperator
            switch current.kind {
            case let .op(spelling) where operators[spelling] != nil: op = operators[spelling]!
            case let .name(spelling) where operators[spelling] != nil: op = operators[spelling]!
            default: return left
            }
            try nest()
            advance()
            let right = try operand(&self)
            left = Expression(.binary(op, left, right), SourceSpan(start: location, end: previousEnd))
        }
    }

    private static func arithmetic(_ operators: ArithmeticOperator...) -> [String: BinaryOperator] {
        Dictionary(uniqueKeysWithValues: operators.map { ($0.rawValue, .arithmetic($0)) })
    }

    private mutating func notExpression() throws(TemplateError) -> Expression {
        if isName("not") {
            let location = current.location
            let outer = nesting
            defer { nesting = outer }
            try nest()
            advance()
            let operand = try notExpression()
            return node(.unary(.not, operand), from: location)
        }
        return try comparison()
    }

    private mutating func comparison() throws(TemplateError) -> Expression {
        let outer = nesting
        defer { nesting = outer }
        var left = try additive()
        while true {
            let location = current.location
            if case let .op(spelling) = current.kind, let op = ComparisonOperator(rawValue: spelling) {
                try nest()
                advance()
                let right = try additive()
                left = node(.binary(.compare(op), left, right), from: location)
            } else if isName("in") {
                try nest()
                advance()
                let right = try additive()
                left = node(.binary(.contains(negated: false), left, right), from: location)
            } else if isName("not"), position + 1 < tokens.count, tokens[position + 1].kind == .name("in") {
                try nest()
                advance(); advance()
                let right = try additive()
                left = node(.binary(.contains(negated: true), left, right), from: location)
            } else {
                return left
            }
        }
    }

    private mutating func additive() throws(TemplateError) -> Expression {
        try leftAssociative(Self.arithmetic(.add, .subtract)) { (parser) throws(TemplateError) in try parser.concatenation() }
    }

    private mutating func concatenation() throws(TemplateError) -> Expression {
        try leftAssociative(Self.arithmetic(.concatenate)) { (parser) throws(TemplateError) in try parser.multiplicative() }
    }

    private mutating func multiplicative() throws(TemplateError) -> Expression {
        try leftAssociative(Self.arithmetic(.multiply, .divide, .floorDivide, .modulo)) { (parser) throws(TemplateError) in try parser.power() }
    }

    private mutating func power() throws(TemplateError) -> Expression {
        try leftAssociative(Self.arithmetic(.power)) { (parser) throws(TemplateError) in try parser.unary(withFilter: true) }
    }

    private mutating func unary(withFilter: Bool) throws(TemplateError) -> Expression {
        let location = current.location
        var node: Expression
        let outer = nesting
        defer { nesting = outer }
        if isOp("-") || isOp("+") {
            let op: UnaryOperator = isOp("-") ? .minus : .plus
            try nest()
            advance()
            let operand = try unary(withFilter: false)
            node = self.node(.unary(op, operand), from: location)
        } else {
            node = try primary()
        }
        node = try postfix(node)
        return withFilter ? try filterExpression(node) : node
    }

    private mutating func primary() throws(TemplateError) -> Expression {
        let token = current
        switch token.kind {
        case let .name(name):
            advance()
            switch name {
            case "true", "True": return node(.literal(.bool(true)), from: token.location)
            case "false", "False": return node(.literal(.bool(false)), from: token.location)
            case "none", "None": return node(.literal(.none), from: token.location)
            default: return node(.name(name), from: token.location)
            }
        case var .string(text):
            advance()
            while case let .string(more) = current.kind { text += more; advance() }
            return node(.literal(.string(text)), from: token.location)
        case let .integer(i):
            advance()
            return node(.literal(.int(i)), from: token.location)
        case let .bigInteger(digits):
            advance()
            return node(.literal(.bigInt(digits)), from: token.location)
        case let .float(d):
            advance()
            return node(.literal(.float(d)), from: token.location)
        case .op("("):
            advance()
            if isOp(")") { advance(); return node(.tuple([]), from: token.location) }
            let first = try expression()
            if isOp(")") { advance(); return first }
            var items = [first]
            while isOp(",") {
                advance()
                if isOp(")") { break }
                items.append(try expression())
            }
            try expectOp(")")
            return node(.tuple(items), from: token.location)
        case .op("["):
            advance()
            var items: [Expression] = []
            while !isOp("]") {
                items.append(try expression())
                if !isOp("]") { try expectOp(",") }
            }
            advance()
            return node(.list(items), from: token.location)
        case .op("{"):
            advance()
            var pairs: [(Expression, Expression)] = []
            while !isOp("}") {
                let key = try expression()
                try expectOp(":")
                pairs.append((key, try expression()))
                if !isOp("}") { try expectOp(",") }
            }
            advance()
            return node(.dict(pairs), from: token.location)
        default:
            throw error("unexpected \(describe(token)) in expression")
        }
    }

    private mutating func postfix(_ start: Expression) throws(TemplateError) -> Expression {
        let outer = nesting
        defer { nesting = outer }
        var node = start
        while true {
            let location = current.location
            if isOp(".") || isOp("[") || isOp("(") { try nest() }
            if isOp(".") {
                advance()
                if case let .integer(i) = current.kind {
                    let index = self.node(.literal(.int(i)), from: current.location)
                    advance()
                    node = self.node(.item(node, index), from: location)
                } else {
                    let name = try expectName()
                    node = self.node(.attribute(node, name), from: location)
                }
            } else if isOp("[") {
                advance()
                let kind = try subscriptExpression(node)
                try expectOp("]")
                node = self.node(kind, from: location)
            } else if isOp("(") {
                let (positional, keyword) = try callArguments()
                node = self.node(.call(node, positional, keyword), from: location)
            } else {
                return node
            }
        }
    }

    private mutating func subscriptExpression(_ base: Expression) throws(TemplateError) -> Expression.Kind {
        var parts: [Expression?] = []
        var current: Expression? = isOp(":") ? nil : try expression()
        guard isOp(":") else {
            guard let index = current else { throw error("empty subscript") }
            return .item(base, index)
        }
        while isOp(":") {
            parts.append(current)
            advance()
            current = isOp(":") || isOp("]") ? nil : try expression()
        }
        parts.append(current)
        return .slice(base, parts[0], parts.count > 1 ? parts[1] : nil, parts.count > 2 ? parts[2] : nil)
    }

    private mutating func callArguments() throws(TemplateError) -> ([Expression], [(String, Expression)]) {
        try expectOp("(")
        var positional: [Expression] = []
        var keyword: [(String, Expression)] = []
        while !isOp(")") {
            if case let .name(name) = current.kind, position + 1 < tokens.count, tokens[position + 1].kind == .op("=") {
                advance(); advance()
                keyword.append((name, try expression()))
            } else {
                guard keyword.isEmpty else { throw error("positional argument after keyword argument") }
                positional.append(try expression())
            }
            if !isOp(")") { try expectOp(",") }
        }
        advance()
        return (positional, keyword)
    }

    private mutating func filterExpression(_ start: Expression) throws(TemplateError) -> Expression {
        let outer = nesting
        defer { nesting = outer }
        var node = start
        while true {
            let location = current.location
            if isOp("|") || isName("is") || isOp("(") { try nest() }
            if isOp("|") {
                advance()
                let name = try dottedName()
                var positional: [Expression] = []
                var keyword: [(String, Expression)] = []
                if isOp("(") { (positional, keyword) = try callArguments() }
                node = self.node(.filter(node, name, positional, keyword), from: location)
            } else if isName("is") {
                advance()
                var negated = false
                if isName("not") { advance(); negated = true }
                let name: String
                switch current.kind {
                case let .name(n): name = n; advance()
                default: throw error("expected a test name after 'is', found \(describe(current))")
                }
                var arguments: [Expression] = []
                if isOp("(") {
                    arguments = try callArguments().0
                } else if Self.startsTestArgument(current.kind) {
                    arguments = [try primary()]
                }
                node = self.node(.test(node, name, arguments, negated: negated), from: location)
            } else if isOp("(") {
                let (positional, keyword) = try callArguments()
                node = self.node(.call(node, positional, keyword), from: location)
            } else {
                return node
            }
        }
    }

    /// jinja2 lets a test take one bare argument: `x is divisibleby 3`, `x is sameas none`.
    private static func startsTestArgument(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .string, .integer, .float: true
        case let .name(n): !["else", "or", "and"].contains(n)
        case .op("["), .op("{"): true
        default: false
        }
    }

    private mutating func dottedName() throws(TemplateError) -> String {
        var name = try expectName()
        while isOp(".") { advance(); name += "." + (try expectName()) }
        return name
    }
}
