/// Variables visible at one point of a render. `for` bodies and macro calls get their own
/// scope, as in jinja2, so `set` inside them does not leak out (use `namespace()` for that).
/// `@unchecked Sendable`: a scope lives in one render, which runs on one thread; callables that
/// capture it (a recursive loop's `loop()`) are called only inside that render.
final class Scope: @unchecked Sendable {
    private var variables: [String: Value] = [:]
    private let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) { variables[name] = value }
}
