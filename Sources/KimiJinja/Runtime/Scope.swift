/// Variables visible at one point of a render. `for` bodies and macro calls get their own
/// scope, as in jinja2, so `set` inside them does not leak out (use `namespace()` for that).
/// A scope holds few names (a loop's target and `loop`, a macro's parameters), so they are
/// kept in two small arrays searched from the end; only a scope that grows past
/// ``indexedAfter`` names (the context of a render) also gets a hash index.
/// `@unchecked Sendable`: a scope lives in one render, which runs on one thread; callables that
/// capture it (a recursive loop's `loop()`) are called only inside that render.
final class Scope: @unchecked Sendable {
    // Unchecked exclusivity: a scope belongs to one render, which touches one field at a time.
    @exclusivity(unchecked) private var names: [String] = []
    @exclusivity(unchecked) private var values: [Value] = []
    @exclusivity(unchecked) private var index: [String: Int]?
    private let parent: Scope?
    private static let indexedAfter = 8

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let position = current.position(of: name) { return current.values[position] }
            scope = current.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) {
        if let position = position(of: name) {
            values[position] = value
            return
        }
        names.append(name)
        values.append(value)
        if index != nil {
            index?[name] = names.count - 1
        } else if names.count > Self.indexedAfter {
            index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
    }

    /// Forgets every name, keeping the storage: a loop gives each iteration a clean scope
    /// without allocating one (nothing captures an iteration's scope).
    func removeAll() {
        names.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        index = nil
    }

    private func position(of name: String) -> Int? {
        if let index { return index[name] }
        return names.lastIndex(of: name)
    }
}
