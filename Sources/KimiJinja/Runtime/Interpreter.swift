import BigInt

/// Evaluates parsed statements against a context, writing the output.
final class Interpreter: @unchecked Sendable {
    private let limits: RenderLimits
    private let dialect: JinjaDialect
    // Unchecked exclusivity: an interpreter runs one render on one thread, one access at a time.
    @exclusivity(unchecked) private var steps = 0
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private(set) var output = ""
    let root: Scope

    init(context: [String: Value], limits: RenderLimits, dialect: JinjaDialect = .python) {
        self.limits = limits
        self.dialect = dialect
        let globals = Scope(parent: nil)
        for (name, value) in Globals.all { globals.set(name, value) }
        root = Scope(parent: globals)
        for (name, value) in context { root.set(name, value) }
    }

    /// How a statement list ended.
    private enum Flow { case normal, breakLoop, continueLoop }

    func run(_ body: [Statement]) throws(TemplateError) {
        _ = try execute(body, in: root, output: &output)
    }

    /// Counts one step; every 2^``RenderLimits/clockShift`` steps also looks at the deadline
    /// and the cancellation flag, so a render stops within microseconds of either.
    private func tick(_ location: TemplatePosition, weight: Int = 1) throws(TemplateError) {
        let before = steps
        steps = steps &+ weight
        if steps > limits.steps || steps < before {
            throw TemplateError(kind: .limit, message: "more than \(limits.steps) evaluation steps (a runaway template?)", file: "", location: location)
        }
        if before >> RenderLimits.clockShift != steps >> RenderLimits.clockShift { try checkClock(location) }
    }

    /// Charges the steps that building `value` cost (see ``RenderLimits/steps(toBuild:)``), so
    /// that a few expensive operations (sorting a long list, joining long strings) use the
    /// budget and reach the clock checks as a loop of cheap ones does.
    private func charge(_ value: Value, _ location: TemplatePosition) throws(TemplateError) -> Value {
        let cost = RenderLimits.steps(toBuild: value)
        if cost > 0 { try tick(location, weight: cost) }
        return value
    }

    private func checkClock(_ location: TemplatePosition) throws(TemplateError) {
        if let reason = limits.cancellation?.reason {
            throw TemplateError(kind: .limit, message: "render cancelled: \(reason)", file: "", location: location)
        }
        if let deadline = limits.deadline, ContinuousClock.now >= deadline {
            throw TemplateError(
                kind: .limit, message: "the render ran past its deadline\(limits.timeoutText) (a runaway template?)", file: "", location: location)
        }
    }

    /// Refuses a value nested deeper than the limit, as it is built.
    private func checked(_ value: Value, _ location: TemplatePosition) throws(TemplateError) -> Value {
        if value.depth > limits.valueDepth {
            throw TemplateError(kind: .limit, message: "a value nested deeper than \(limits.valueDepth) levels", file: "", location: location)
        }
        return value
    }

    private func fail(_ failure: TemplateFailure, _ span: SourceSpan) -> TemplateError {
        TemplateError(kind: failure.kind, message: failure.message, file: "", location: span.start, span: span)
    }

    private func write(_ text: String, to output: inout String, _ location: TemplatePosition) throws(TemplateError) {
        if output.utf8.count + text.utf8.count > limits.outputBytes {
            throw TemplateError(kind: .limit, message: "output larger than \(limits.outputBytes) bytes", file: "", location: location)
        }
        output += text
    }

    private func execute(_ body: [Statement], in scope: Scope, output: inout String) throws(TemplateError) -> Flow {
        for statement in body {
            switch statement {
            case let .text(text, location):
                try write(text, to: &output, location)
            case let .output(expression, location):
                try tick(location)
                let value = try evaluate(expression, in: scope)
                let text: String
                do {
                    text = dialect == .llamaCpp ? try value.printedByLlamaCpp() : try value.printed()
                } catch { throw fail(error, SourceSpan(start: location, end: expression.span.end)) }
                try write(text, to: &output, location)
            case let .conditional(branches, otherwise, _):
                var taken = false
                for (condition, branch) in branches where try evaluate(condition, in: scope).isTruthy {
                    taken = true
                    let flow = try execute(branch, in: scope, output: &output)
                    if flow != .normal { return flow }
                    break
                }
                if !taken {
                    let flow = try execute(otherwise, in: scope, output: &output)
                    if flow != .normal { return flow }
                }
            case let .loop(target, iterable, filter, body, otherwise, recursive, location):
                let items = try evaluate(iterable, in: scope)
                try runLoop(target, items, filter, body, otherwise, recursive: recursive, depth: 1, location, scope, &output)
            case let .with(assignments, body, location):
                let inner = Scope(parent: scope)
                for (name, value) in assignments { inner.set(name, try evaluate(value, in: scope)) }
                let flow = try execute(body, in: inner, output: &output)
                if flow != .normal { return flow }
            case let .assign(target, expression, location):
                try tick(location)
                try assign(target, try evaluate(expression, in: scope), in: scope, at: location)
            case let .assignBlock(name, body, _):
                var captured = ""
                _ = try execute(body, in: scope, output: &captured)
                scope.set(name, .string(captured))
            case let .macro(macro):
                scope.set(macro.name, .callable(makeCallable(macro)))
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private func assign(_ target: AssignTarget, _ value: Value, in scope: Scope, at location: TemplatePosition) throws(TemplateError) {
        switch target {
        case let .name(name):
            scope.set(name, value)
        case let .attribute(object, attribute):
            guard case let .namespace(box)? = scope.lookup(object) else {
                throw fail(.type("cannot assign attribute on non-namespace object"), SourceSpan(at: location))
            }
            box[.string(attribute)] = try checked(value, location)
        case let .names(names):
            let items: [Value]
            do { items = try value.iterated() } catch { throw fail(error, SourceSpan(at: location)) }
            guard items.count == names.count else {
                throw fail(.type("cannot unpack \(items.count) values into \(names.count) names"), SourceSpan(at: location))
            }
            for (name, item) in zip(names, items) { scope.set(name, item) }
        }
    }

    /// A `for` loop over `iterable`; a recursive loop's `loop(children)` runs the same body over
    /// the children one level deeper and returns what it printed.
    private func runLoop(
        _ target: AssignTarget, _ iterable: Value, _ filter: Expression?,
        _ body: [Statement], _ otherwise: [Statement], recursive: Bool, depth: Int, _ location: TemplatePosition,
        _ scope: Scope, _ output: inout String
    ) throws(TemplateError) {
        var items: [Value]
        do { items = try iterable.iterated() } catch { throw fail(error, SourceSpan(at: location)) }
        if let filter {
            var kept: [Value] = []
            for item in items {
                let filterScope = Scope(parent: scope)
                try assign(target, item, in: filterScope, at: location)
                if try evaluate(filter, in: filterScope).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try execute(otherwise, in: scope, output: &output)
            return
        }
        var recurse: Callable?
        if recursive {
            recurse = Callable(name: "loop") { [unowned self] arguments in
                guard let children = arguments.positional.first else { throw TemplateFailure.type("loop() takes one argument") }
                self.depth += 1
                defer { self.depth -= 1 }
                if self.depth > self.limits.callDepth { throw TemplateFailure.limit("recursive loop nested deeper than \(self.limits.callDepth)") }
                var captured = ""
                try self.runLoop(target, children, filter, body, otherwise, recursive: true, depth: depth + 1, location, scope, &captured)
                return .string(captured)
            }
        }
        let loop = LoopInfo(items: items, depth: depth, recurse: recurse)
        let iteration = Scope(parent: scope)
        for (index, item) in items.enumerated() {
            try tick(location, weight: RenderLimits.iterationSteps)
            iteration.removeAll()
            loop.advance(to: index)
            iteration.set("loop", loop.value)
            try assign(target, item, in: iteration, at: location)
            if try execute(body, in: iteration, output: &output) == .breakLoop { break }
        }
    }

    private func makeCallable(_ macro: Macro) -> Callable {
        Callable(name: macro.name) { [unowned self] arguments in
            try self.call(macro, arguments)
        }
    }

    /// Calls a macro; errors inside its body keep their own line and column.
    private func call(_ macro: Macro, _ arguments: Arguments) throws -> Value {
        depth += 1
        defer { depth -= 1 }
        if depth > limits.callDepth {
            throw TemplateFailure.limit("macro calls nested deeper than \(limits.callDepth) (runaway recursion?)")
        }
        let scope = Scope(parent: root)
        if arguments.positional.count > macro.parameters.count {
            throw TemplateFailure.type("macro '\(macro.name)' takes not more than \(macro.parameters.count) argument(s)")
        }
        for (index, (name, defaultExpression)) in macro.parameters.enumerated() {
            if let value = arguments.value(index, name) {
                scope.set(name, value)
            } else if let defaultExpression {
                scope.set(name, try evaluate(defaultExpression, in: scope))
            } else {
                scope.set(name, .undefined(name))
            }
        }
        for (name, _) in arguments.keyword where !macro.parameters.contains(where: { $0.0 == name }) {
            throw TemplateFailure.type("macro '\(macro.name)' takes no keyword argument '\(name)'")
        }
        var captured = ""
        _ = try execute(macro.body, in: scope, output: &captured)
        return .string(captured)
    }

    // MARK: Expressions

    func evaluate(_ expression: Expression, in scope: Scope) throws(TemplateError) -> Value {
        let location = expression.location
        try tick(location)
        do {
            return try evaluateNode(expression.kind, in: scope, at: location)
        } catch let error as TemplateError {
            throw error
        } catch let failure as TemplateFailure {
            throw fail(failure, expression.span)
        } catch {
            throw fail(.type("\(error)"), expression.span)
        }
    }

    private func evaluateNode(_ node: Expression.Kind, in scope: Scope, at location: TemplatePosition) throws -> Value {
        switch node {
        case let .literal(value):
            return value
        case let .name(name):
            return scope.lookup(name) ?? .undefined(name)
        case let .list(items):
            return try checked(.list(try items.map { try evaluate($0, in: scope) }), location)
        case let .tuple(items):
            return try checked(.tuple(try items.map { try evaluate($0, in: scope) }), location)
        case let .dict(pairs):
            let box = Value.DictBox()
            for (key, value) in pairs {
                box[try evaluate(key, in: scope)] = try evaluate(value, in: scope)
            }
            return try checked(.dict(box), location)
        case let .attribute(base, name):
            return try Members.attribute(try evaluate(base, in: scope), name)
        case let .item(base, index):
            return try Members.item(try evaluate(base, in: scope), try evaluate(index, in: scope))
        case let .slice(base, start, stop, step):
            let value = try evaluate(base, in: scope)
            func bound(_ e: Expression?) throws -> Value? { try e.map { try evaluate($0, in: scope) } }
            return try Members.slice(value, try bound(start), try bound(stop), try bound(step))
        case let .call(callee, positional, keyword):
            let function = try evaluate(callee, in: scope)
            let arguments = Arguments(
                positional: try positional.map { try evaluate($0, in: scope) },
                keyword: try keyword.map { ($0.0, try evaluate($0.1, in: scope)) })
            if case let .namespace(box) = function, case let .callable(call)? = box[.string("__call__")] {
                return try charge(try checked(try call.body(arguments), location), location)
            }
            guard case let .callable(callable) = function else {
                if case let .undefined(name) = function { throw TemplateFailure.undefined("'\(name)' is undefined") }
                throw TemplateFailure.type("'\(function.typeName)' object is not callable")
            }
            return try charge(try checked(try callable.body(arguments), location), location)
        case let .filter(base, name, positional, keyword):
            let value = try evaluate(base, in: scope)
            let arguments = Arguments(
                positional: try positional.map { try evaluate($0, in: scope) },
                keyword: try keyword.map { ($0.0, try evaluate($0.1, in: scope)) })
            return try charge(try checked(try Filters.apply(name, value, arguments), location), location)
        case let .test(base, name, argumentExpressions, negated):
            let value = try evaluate(base, in: scope)
            let arguments = try argumentExpressions.map { try evaluate($0, in: scope) }
            return .bool(try TestFunctions.apply(name, value, arguments) != negated)
        case let .unary(op, operand):
            let value = try evaluate(operand, in: scope)
            switch op {
            case .not: return .bool(!value.isTruthy)
            case .minus:
                switch value {
                case let .int(i): return i == Int.min ? PythonIntegers.value(-BigInt(i)) : .int(-i)
                case let .bigInt(digits): return PythonIntegers.value(-(BigInt(digits) ?? 0))
                case let .float(d): return .float(-d)
                case let .bool(b): return .int(b ? -1 : 0)
                default: throw TemplateFailure.type("bad operand type for unary -: '\(value.typeName)'")
                }
            case .plus:
                guard Operators.number(value) != nil else { throw TemplateFailure.type("bad operand type for unary +: '\(value.typeName)'") }
                return value
            }
        case let .binary(op, leftExpression, rightExpression):
            let left = try evaluate(leftExpression, in: scope)
            switch op {
            case .and: return left.isTruthy ? try evaluate(rightExpression, in: scope) : left
            case .or: return left.isTruthy ? left : try evaluate(rightExpression, in: scope)
            case let .compare(comparison):
                return .bool(try Operators.compare(comparison, left, try evaluate(rightExpression, in: scope)))
            case let .contains(negated):
                return .bool(try Operators.contains(try evaluate(rightExpression, in: scope), left) != negated)
            case let .arithmetic(arithmetic):
                return try charge(try Operators.binary(arithmetic, left, try evaluate(rightExpression, in: scope)), location)
            }
        case let .conditional(condition, then, otherwise):
            if try evaluate(condition, in: scope).isTruthy {
                return try evaluate(then, in: scope)
            }
            return try otherwise.map { try evaluate($0, in: scope) } ?? .undefined("inline if")
        }
    }
}

/// The `loop` variable of a `for` body: one object per loop whose fields move on with each
/// iteration, as jinja2's `LoopContext` does, so an iteration costs a few stores rather than a
/// new dict.
final class LoopInfo {
    /// The index `loop.cycle` reads; the callable holds this, not the dict that holds it.
    private final class Position: @unchecked Sendable {
        var index = 0
    }

    private let items: [Value]
    private let position = Position()
    private let box: Value.DictBox
    var value: Value { .namespace(box) }

    /// Field positions in `box`, in the order they are inserted below.
    private enum Field: Int { case index = 3, index0, revindex, revindex0, first, last, length, previtem, nextitem }

    init(items: [Value], depth: Int, recurse: Callable?) {
        self.items = items
        let position = position
        let cycle = Callable(name: "cycle") { arguments in
            guard !arguments.positional.isEmpty else { throw TemplateFailure.type("no items for cycling given") }
            return arguments.positional[position.index % arguments.positional.count]
        }
        box = Value.DictBox([
            (.string("cycle"), .callable(cycle)), (.string("depth"), .int(depth)), (.string("depth0"), .int(depth - 1)),
            (.string("index"), .int(0)), (.string("index0"), .int(0)), (.string("revindex"), .int(0)), (.string("revindex0"), .int(0)),
            (.string("first"), .bool(false)), (.string("last"), .bool(false)), (.string("length"), .int(items.count)),
            (.string("previtem"), .none), (.string("nextitem"), .none),
        ])
        if let recurse { box[.string("__call__")] = .callable(recurse) }
    }

    func advance(to index: Int) {
        let count = items.count
        position.index = index
        func set(_ field: Field, _ value: Value) { box.setValue(at: field.rawValue, value) }
        set(.index, .int(index + 1))
        set(.index0, .int(index))
        set(.revindex, .int(count - index))
        set(.revindex0, .int(count - index - 1))
        set(.first, .bool(index == 0))
        set(.last, .bool(index == count - 1))
        set(.previtem, index > 0 ? items[index - 1] : .undefined("previtem"))
        set(.nextitem, index + 1 < count ? items[index + 1] : .undefined("nextitem"))
    }
}
