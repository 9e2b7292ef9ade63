/// An expression of the template language.
indirect enum Expression: Sendable {
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
    case unary(String, Expression)
    case binary(String, Expression, Expression)
    case conditional(condition: Expression, then: Expression, otherwise: Expression?)
    /// Any expression with where it starts, for error messages.
    case located(Expression, TemplatePosition)
}

/// What `set` and `for` assign to.
enum AssignTarget: Sendable {
    case name(String)
    case attribute(String, String)
    case names([String])
}

/// A statement (node) of a template body.
indirect enum Statement: Sendable {
    case text(String, TemplatePosition)
    case output(Expression, TemplatePosition)
    case conditional([(Expression, [Statement])], otherwise: [Statement])
    case loop(target: AssignTarget, iterable: Expression, filter: Expression?, body: [Statement], otherwise: [Statement], recursive: Bool, TemplatePosition)
    /// `{% with a = 1, b = 2 %}...{% endwith %}`: names set in a scope of their own.
    case with([(String, Expression)], [Statement], TemplatePosition)
    case assign(AssignTarget, Expression, TemplatePosition)
    case assignBlock(String, [Statement])
    case macro(Macro)
    case breakLoop(TemplatePosition)
    case continueLoop(TemplatePosition)
}

/// A `{% macro %}` definition.
final class Macro: @unchecked Sendable {
    let name: String
    let parameters: [(String, Expression?)]
    let body: [Statement]
    let location: TemplatePosition

    init(name: String, parameters: [(String, Expression?)], body: [Statement], location: TemplatePosition) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.location = location
    }
}
