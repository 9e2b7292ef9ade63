/// A value inside a template, with Python's semantics: templates are written against
/// jinja2 running on Python, and engines print Python's `str()` of what they hold.
public enum Value: Sendable {
    /// jinja2's default `Undefined`: prints as nothing, is false, fails when used further.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    /// A Python int beyond 64 bits (from JSON input), kept as its decimal digits. It prints
    /// and serializes exactly; arithmetic on it is refused rather than approximated.
    case bigInt(String)
    case float(Double)
    case string(String)
    /// A Python list: shared by reference, as in Python.
    case list(ListBox)
    case tuple([Value])
    /// A Python dict: insertion-ordered, shared by reference.
    case dict(DictBox)
    /// The object `namespace()` makes: attributes settable with `{% set ns.x = ... %}`.
    case namespace(DictBox)
    /// A macro or a built-in function or method.
    case callable(Callable)
    /// A dict view (`dict_items`, `dict_keys`, `dict_values`): iterates like a list, prints as Python does.
    case view(String, [Value])

    /// A Python list, by reference. Templates cannot mutate it (the sandbox forbids it), but
    /// the same list is visible through every name that refers to it.
    public final class ListBox: @unchecked Sendable {
        public private(set) var items: [Value]
        /// How deeply the list nests: 1 plus the deepest of its items.
        public let depth: Int

        public init(_ items: [Value]) {
            self.items = items
            depth = 1 + items.reduce(0) { max($0, $1.depth) }
        }

        deinit { IterativeRelease.release(&items) }
    }

    /// An insertion-ordered dict with string or scalar keys, by reference.
    public final class DictBox: @unchecked Sendable {
        // The fields are `@exclusivity(unchecked)`: a dict is changed only by the render that
        // builds it, one access at a time, and the dynamic checks of a class's fields cost as
        // much as the lookups themselves.
        @exclusivity(unchecked) public private(set) var keys: [Value] = []
        /// Each key as it compares (parallel to ``keys``): small dicts are searched by a scan of
        /// these, which costs less than hashing for the few keys of a message or a `loop`.
        @exclusivity(unchecked) private var hashedKeys: [HashableKey] = []
        /// Positions by key, built once the dict outgrows ``scanLimit`` keys.
        @exclusivity(unchecked) private var index: [HashableKey: Int]?
        @exclusivity(unchecked) public private(set) var values: [Value] = []
        /// How deeply the dict nests: 1 plus the deepest value it has held.
        @exclusivity(unchecked) public private(set) var depth = 1

        /// The most keys a dict is searched by scanning.
        private static let scanLimit = 16

        public init(_ pairs: [(Value, Value)] = []) {
            keys.reserveCapacity(pairs.count)
            hashedKeys.reserveCapacity(pairs.count)
            values.reserveCapacity(pairs.count)
            for (key, value) in pairs { self[key] = value }
        }

        deinit { IterativeRelease.release(&values) }

        /// Replaces the value at `position` (in insertion order) without hashing its key.
        func setValue(at position: Int, _ value: Value) {
            let valueDepth = value.depth
            if valueDepth >= depth { depth = valueDepth + 1 }
            values[position] = value
        }

        private func position(of key: HashableKey) -> Int? {
            if let index { return index[key] }
            return hashedKeys.firstIndex(of: key)
        }

        public subscript(key: Value) -> Value? {
            get { HashableKey(key).flatMap(position(of:)).map { values[$0] } }
            set {
                guard let hashable = HashableKey(key) else { return }
                if let newValue { depth = max(depth, 1 + newValue.depth) }
                if let position = position(of: hashable) {
                    if let newValue { values[position] = newValue }
                } else if let newValue {
                    if index != nil {
                        index?[hashable] = keys.count
                    } else if keys.count == Self.scanLimit {
                        index = Dictionary(uniqueKeysWithValues: zip(hashedKeys, hashedKeys.indices))
                        index?[hashable] = keys.count
                    }
                    keys.append(key)
                    hashedKeys.append(hashable)
                    values.append(newValue)
                }
            }
        }

        public var count: Int { keys.count }
        public var pairs: Zip2Sequence<[Value], [Value]> { zip(keys, values) }
    }

    /// Keys of a dict: Python's hash equality (1, 1.0 and True are the same key). A string key
    /// is kept as it is; other keys as a canonical text of their number, `None` or tuple. Keys
    /// are equal when their code points are (Python's), not when Swift's `==` finds them
    /// canonically equivalent (`'\u00e9'` and `'e\u0301'` are two keys); the hash is the
    /// string's, which equal keys share.
    enum HashableKey: Hashable {
        case string(String)
        case other(String)

        static func == (a: HashableKey, b: HashableKey) -> Bool {
            switch (a, b) {
            case let (.string(x), .string(y)), let (.other(x), .other(y)): x == y && x.utf8.elementsEqual(y.utf8)
            default: false
            }
        }

        func hash(into hasher: inout Hasher) {
            switch self {
            case let .string(text):
                hasher.combine(0 as UInt8)
                hasher.combine(text)
            case let .other(text):
                hasher.combine(1 as UInt8)
                hasher.combine(text)
            }
        }

        init?(_ value: Value) {
            switch value {
            case let .string(s): self = .string(s)
            case let .int(i): self = .other("n\(i)")
            case let .bigInt(digits): self = .other("n" + digits)
            case let .bool(b): self = .other("n\(b ? 1 : 0)")
            case let .float(d): self = .other(d == d.rounded() && abs(d) < 9e18 ? "n\(Int(d))" : "f\(d)")
            case .none: self = .other("None")
            case let .tuple(items):
                let parts = items.compactMap(HashableKey.init)
                guard parts.count == items.count else { return nil }
                self = .other("t(" + parts.map(\.text).joined(separator: ",") + ")")
            default: return nil
            }
        }

        /// The key as one text (a string key marked `s`), as tuples of keys spell their parts.
        var text: String {
            switch self {
            case let .string(s): "s" + s
            case let .other(text): text
            }
        }
    }

    public static func list(_ items: [Value]) -> Value { .list(ListBox(items)) }
    public static func dict(_ pairs: [(String, Value)]) -> Value {
        .dict(DictBox(pairs.map { (.string($0.0), $0.1) }))
    }
}

/// Something a template can call.
public struct Callable: Sendable {
    /// Its name, for messages.
    public let name: String
    let body: @Sendable (Arguments) throws -> Value
}

/// The arguments of a call: positional, then keyword.
public struct Arguments: Sendable {
    public var positional: [Value]
    public var keyword: [(String, Value)]

    /// The argument at `position` or named `name`, if given.
    func value(_ position: Int, _ name: String) -> Value? {
        if position < positional.count { return positional[position] }
        return keyword.first { $0.0 == name }?.1
    }
}

extension Value {
    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case let .bool(b): b
        case let .int(i): i != 0
        case .bigInt: true
        case let .float(d): d != 0
        case let .string(s): !s.isEmpty
        case let .list(l): !l.items.isEmpty
        case let .tuple(t): !t.isEmpty
        case let .dict(d): d.count > 0
        case .namespace, .callable: true
        case let .view(_, items): !items.isEmpty
        }
    }

    /// How deeply the value nests: 0 for a scalar, 1 for a list of scalars, and so on. Lists
    /// and dicts know theirs; a tuple or view looks at its items, which are nested no deeper
    /// than the limit every value built is checked against.
    public var depth: Int {
        switch self {
        case let .list(box): box.depth
        case let .dict(box), let .namespace(box): box.depth
        case let .tuple(items), let .view(_, items): 1 + items.reduce(0) { max($0, $1.depth) }
        default: 0
        }
    }

    var isUndefined: Bool { if case .undefined = self { true } else { false } }

    /// The Python type name, for error messages.
    public var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .namespace: "Namespace"
        case .callable: "function"
        case let .view(kind, _): kind
        }
    }

    /// The elements of an iterable value (a dict gives its keys, a string its characters).
    func iterated() throws(TemplateFailure) -> [Value] {
        switch self {
        case .undefined: return []
        case let .list(l): return l.items
        case let .tuple(t): return t
        case let .dict(d): return d.keys
        case let .view(_, items): return items
        case let .string(s):
            // A string's characters become a list: as long as any list may be, and counted
            // before it is built.
            try RenderLimits.checkList(s.utf8.count > RenderLimits.listItems ? s.unicodeScalars.count : 0, "iterating a string")
            return s.unicodeScalars.map { .string(String($0)) }
        default: throw .type("'\(typeName)' object is not iterable")
        }
    }
}
