/// A parsed Jinja template, rendered with the semantics of transformers' chat-template
/// environment (jinja2's immutable sandbox, `trim_blocks`, `lstrip_blocks`, loop controls).
public struct Template: Sendable {
    /// Where the template came from, for error messages (a path, or a description).
    public let name: String
    /// The text the template was parsed from.
    public let source: String
    package let body: [Statement]
    /// Whose Jinja semantics render it (jinja2's unless changed with ``rendered(as:)``).
    public private(set) var dialect = JinjaDialect.python

    /// This template rendered with `dialect`'s semantics.
    public func rendered(as dialect: JinjaDialect) -> Template {
        var template = self
        template.dialect = dialect
        return template
    }

    /// Parses `source`; syntax errors, unknown filters and unknown tests are reported here,
    /// as jinja2 reports them when it compiles.
    public init(source: String, name: String) throws(TemplateError) {
        self.name = name
        self.source = source
        do {
            body = try Parser.parse(source)
            try Self.checkNames(in: body)
        } catch var error {
            error.file = name
            throw error
        }
    }

    /// Renders with `context` as the template's variables.
    public func render(_ context: [String: Value], limits: RenderLimits = RenderLimits()) throws(TemplateError) -> String {
        let interpreter = Interpreter(context: context, limits: limits, dialect: dialect)
        do {
            try interpreter.run(body)
        } catch var error {
            error.file = name
            throw error
        }
        return interpreter.output
    }

    private static func checkNames(in statements: [Statement]) throws(TemplateError) {
        for statement in statements {
            switch statement {
            case .text, .breakLoop, .continueLoop: break
            case let .output(expression, _), let .assign(_, expression, _):
                try checkNames(in: expression)
            case let .conditional(branches, otherwise, _):
                for (condition, body) in branches {
                    try checkNames(in: condition)
                    try checkNames(in: body)
                }
                try checkNames(in: otherwise)
            case let .loop(_, iterable, filter, body, otherwise, _, _):
                try checkNames(in: iterable)
                if let filter { try checkNames(in: filter) }
                try checkNames(in: body)
                try checkNames(in: otherwise)
            case let .with(assignments, body, _):
                for (_, value) in assignments { try checkNames(in: value) }
                try checkNames(in: body)
            case let .assignBlock(_, body, _):
                try checkNames(in: body)
            case let .macro(macro):
                for case let (_, value?) in macro.parameters { try checkNames(in: value) }
                try checkNames(in: macro.body)
            }
        }
    }

    private static func checkNames(in expression: Expression) throws(TemplateError) {
        func check(_ e: Expression) throws(TemplateError) { try checkNames(in: e) }
        let location = expression.location
        switch expression.kind {
        case .literal, .name: break
        case let .list(items), let .tuple(items): for item in items { try check(item) }
        case let .dict(pairs): for (key, value) in pairs { try check(key); try check(value) }
        case let .attribute(base, _): try check(base)
        case let .item(base, index): try check(base); try check(index)
        case let .slice(base, a, b, c):
            try check(base)
            for case let part? in [a, b, c] { try check(part) }
        case let .call(callee, positional, keyword):
            try check(callee)
            for item in positional { try check(item) }
            for (_, item) in keyword { try check(item) }
        case let .filter(base, name, positional, keyword):
            guard Filters.names.contains(name) else {
                throw TemplateError(kind: .syntax, message: "no filter named '\(name)'", file: "", location: location)
            }
            try check(base)
            for item in positional { try check(item) }
            for (_, item) in keyword { try check(item) }
        case let .test(base, name, arguments, _):
            guard TestFunctions.names.contains(name) else {
                throw TemplateError(kind: .syntax, message: "no test named '\(name)'", file: "", location: location)
            }
            try check(base)
            for item in arguments { try check(item) }
        case let .unary(_, operand): try check(operand)
        case let .binary(_, left, right): try check(left); try check(right)
        case let .conditional(condition, then, otherwise):
            try check(condition); try check(then)
            if let otherwise { try check(otherwise) }
        }
    }
}
