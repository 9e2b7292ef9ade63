/// The syntax tree of a template: what the parser builds and the interpreter walks. Every node
/// knows where in the source it came from, so that an error names the span it happened in.

/// A stretch of template source: from the first character of a node to just after its last.
public struct SourceSpan: Sendable, Equatable, CustomStringConvertible {
    public let start: TemplatePosition
    public let end: TemplatePosition

    public init(start: TemplatePosition, end: TemplatePosition) {
        self.start = start
        self.end = end
    }

    /// A span that is one position wide (where only the start is known).
    public init(at position: TemplatePosition) {
        start = position
        end = position
    }

    public var description: String { "\(start)-\(end)" }
}

/// `not x`, `-x`, `+x`.
package enum UnaryOperator: String, Sendable {
    case not
    case minus = "-"
    case plus = "+"
}

/// The comparison operators; they chain left to right as jinja2's do (`a < b < c` is `(a < b) < c`).
package enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// The operators that compute a value from two operands, with Python's semantics.
package enum ArithmeticOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
    case power = "**"
    /// `~`: both operands printed and joined.
    case concatenate = "~"
}

/// Every binary operator of the language.
package enum BinaryOperator: Sendable, Equatable {
    /// `and` / `or`: the right operand is evaluated only when needed.
    case and, or
    case compare(ComparisonOperator)
    /// `x in y` and `x not in y`.
    case contains(negated: Bool)
    case arithmetic(ArithmeticOperator)
}

/// An expression of the template language, with the span of source it was parsed from.
package struct Expression: Sendable {
    package indirect enum Kind: Sendable {
        case literal(Value)
        case name(String)
        case list([Expression])
        case tuple([Expression])
        case dict([(Expression, Expression)])
        case attribute(Expression, String)
        case item(Expression, Expression)
        case slice(Expression, Expression?, Expression?, Expression?)
        case call(Expression, [Expression], [(String, Expression)])
        case filter(Expression, String, [Expression], [(String, Expression)])
        case test(Expression, String, [Expression], negated: Bool)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case conditional(condition: Expression, then: Expression, otherwise: Expression?)
    }

    package let kind: Kind
    package let span: SourceSpan

    package init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// Where the expression starts, which errors report.
    package var location: TemplatePosition { span.start }
}

/// What `set` and `for` assign to.
package enum AssignTarget: Sendable {
    case name(String)
    case attribute(String, String)
    case names([String])
}

/// A statement (node) of a template body; each carries the position of its tag or text.
package indirect enum Statement: Sendable {
    case text(String, TemplatePosition)
    case output(Expression, TemplatePosition)
    case conditional([(Expression, [Statement])], otherwise: [Statement], TemplatePosition)
    case loop(target: AssignTarget, iterable: Expression, filter: Expression?, body: [Statement], otherwise: [Statement], recursive: Bool, TemplatePosition)
    /// `{% with a = 1, b = 2 %}...{% endwith %}`: names set in a scope of their own.
    case with([(String, Expression)], [Statement], TemplatePosition)
    case assign(AssignTarget, Expression, TemplatePosition)
    case assignBlock(String, [Statement], TemplatePosition)
    case macro(Macro)
    case breakLoop(TemplatePosition)
    case continueLoop(TemplatePosition)
}

/// A `{% macro %}` definition.
package final class Macro: @unchecked Sendable {
    package let name: String
    package let parameters: [(String, Expression?)]
    package let body: [Statement]
    package let location: TemplatePosition

    init(name: String, parameters: [(String, Expression?)], body: [Statement], location: TemplatePosition) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.location = location
    }
}
