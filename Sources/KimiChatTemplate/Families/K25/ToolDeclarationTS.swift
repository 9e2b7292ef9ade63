import KimiIO

/// The TypeScript-style tool declaration that Kimi K2.5/K2.6's tokenizer computes from a
/// request's tools and hands to the chat template as `tools_ts_str`.
///
/// The layout: a `# Tools` / `## functions` header, then `namespace functions { ... }` with one
/// `type NAME = (_: {...}) => any;` per function tool. Inside an object, required fields come
/// first and optional ones (`name?:`) after, each group sorted by name; descriptions, limits
/// (`maxLength`, `minimum`, `minItems`, ...) and defaults are `// ` comment lines above a field;
/// `integer` is spelled `number`, enums and `anyOf` and type lists are unions, arrays are
/// `Array<...>`, `additionalProperties` is an index signature, `$defs` become `interface`
/// blocks named by `$ref`, and a `$ref` of `#` makes the root an `interface parameters`.
///
/// Every value is printed the way the model's Python encoder prints it (`str()` in f-strings,
/// `repr()` for numeric defaults, `json.dumps` for other defaults), and the encoder fails
/// exactly where the Python one raises: the tokenizer then passes no `tools_ts_str` and the
/// template falls back to `tools | tojson`. A failure is therefore a normal outcome, not an
/// error to report.
public enum ToolDeclarationTS {
    /// The Python encoder would raise on this tool list.
    public struct Unsupported: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The declaration of `tools` ("" when no tool is a non-empty function).
    public static func declaration(of tools: [Value]) throws(Unsupported) -> String {
        var blocks: [String] = []
        for tool in tools {
            guard case let .dict(box) = tool, box[.string("type")]?.isString("function") == true else { continue }
            let function = box[.string("function")] ?? .dict([])
            if function.isTruthy { blocks.append(try functionBlock(function)) }
        }
        if blocks.isEmpty { return "" }
        return "# Tools\n\n## functions\nnamespace functions {\n" + blocks.joined(separator: "\n") + "\n}\n"
    }

    /// A copy of `value` with every dict's keys in Python's sorted order, recursively; lists
    /// keep their order.
    public static func sortingKeysDeep(_ value: Value) -> Value {
        switch value {
        case let .dict(box):
            let pairs = box.pairs.map { ($0, sortingKeysDeep($1)) }
                .sorted { PythonOrder.less($0.0, $1.0) }
            return .dict(Value.DictBox(pairs))
        case let .list(box):
            return .list(box.items.map(sortingKeysDeep))
        default:
            return value
        }
    }

    // MARK: Parsed schemas

    private static let step = "  "
    private static let fieldSeparator = ",\n"
    private static let stringLimits: Set<String> = ["maxLength", "minLength", "pattern"]
    private static let numberLimits: Set<String> = ["maximum", "minimum"]
    private static let arrayLimits: Set<String> = ["minItems", "maxItems"]
    private static let typeListNames: [String: String] = [
        "string": "string", "number": "number", "integer": "number", "boolean": "boolean",
        "null": "null", "object": "{}", "array": "Array<any>",
    ]

    /// One parsed schema node.
    private final class Shape {
        enum Kind {
            /// A scalar type as the schema spells it (any JSON value; `integer` prints as `number`).
            case scalar(Value)
            case object(ObjectInfo)
            case array(Shape)
            /// The enum value as given (iterated only when printed).
            case enumeration(Value)
            case anyOf([Shape])
            case typeList([String])
            case reference(String)
        }

        let kind: Kind
        /// The schema's `description`, any JSON value; only truthy ones are shown.
        let note: Value
        /// The limit keys this kind shows, with their values.
        let limits: [(String, Value)]

        init(_ kind: Kind, note: Value = .string(""), limits: [(String, Value)] = []) {
            self.kind = kind
            self.note = note
            self.limits = limits
        }
    }

    private final class ObjectInfo {
        var fields: [Field] = []
        /// `additionalProperties`: absent or null is `nil`; an object is parsed, anything else kept.
        var extra: Extra?
    }

    private enum Extra {
        case raw(Value)
        case shape(Shape)
    }

    private struct Field {
        let name: String
        let shape: Shape
        let optional: Bool
        let defaultValue: Value?
    }

    /// What one function's parse has seen: `$defs` in first-seen order (a later definition of a
    /// name replaces the schema but keeps the place) and whether `#` was referenced.
    private final class Scope {
        var definitionNames: [String] = []
        var definitions: [String: Value] = [:]
        var sawRootReference = false

        func learn(_ definitions: Value) throws(Unsupported) {
            guard definitions.isTruthy else { return }
            guard case let .dict(box) = definitions else { throw Unsupported("'$defs' is \(definitions.typeName), not an object") }
            for (key, schema) in box.pairs {
                let name = key.pythonString
                if self.definitions[name] == nil { definitionNames.append(name) }
                self.definitions[name] = schema
            }
        }

        func name(for reference: Value) throws(Unsupported) -> String {
            guard case let .string(text) = reference else { throw Unsupported("'$ref' is \(reference.typeName), not a string") }
            if text == "#" {
                sawRootReference = true
                return "parameters"
            }
            guard text.hasPrefix("#/$defs/") else { throw Unsupported("unsupported $ref '\(text)'") }
            let name = String(
                text.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).last.map { String(String.UnicodeScalarView($0)) } ?? "")
            guard let definition = definitions[name] else { throw Unsupported("$ref '\(text)' names no known definition") }
            guard case let .dict(box) = definition else { throw Unsupported("definition '\(name)' is \(definition.typeName), not an object") }
            return (box[.string("$self_ref")] ?? .bool(false)).isTruthy ? "parameters" : name
        }
    }

    // MARK: Parsing

    private static func parse(_ schema: Value, _ scope: Scope) throws(Unsupported) -> Shape {
        if case let .bool(flag) = schema { return Shape(.scalar(.string(flag ? "any" : "null"))) }
        guard case let .dict(box) = schema else { throw Unsupported("a schema is \(schema.typeName), not an object or a boolean") }
        let note = box[.string("description")] ?? .string("")
        if let reference = box[.string("$ref")] {
            return Shape(.reference(try scope.name(for: reference)), note: note)
        }
        if let members = box[.string("anyOf")] {
            var shapes: [Shape] = []
            for member in try pythonIteration(members) { shapes.append(try parse(member, scope)) }
            return Shape(.anyOf(shapes), note: note)
        }
        if let values = box[.string("enum")] {
            if let declared = box[.string("type")] { try checkEnum(values, declared) }
            return Shape(.enumeration(values), note: note)
        }
        if let declared = box[.string("type")] {
            if case let .list(names) = declared {
                var spelled: [String] = []
                for name in names.items {
                    guard case let .string(text) = name, let spelling = typeListNames[text] else {
                        throw Unsupported("type list member \(name.pythonRepr) is not a JSON Schema type")
                    }
                    spelled.append(spelling)
                }
                return Shape(.typeList(spelled), note: note)
            }
            if declared.isString("object") { return try parseObject(schema, scope) }
            if declared.isString("array") {
                let items = box[.string("items")] ?? .none
                let item = items.isTruthy ? try parse(items, scope) : Shape(.scalar(.string("any")))
                return Shape(.array(item), note: note, limits: pick(box, arrayLimits))
            }
            let shown: Set<String> =
                declared.isString("string")
                ? stringLimits
                : declared.isString("number") || declared.isString("integer") ? numberLimits : []
            return Shape(.scalar(declared), note: note, limits: pick(box, shown))
        }
        if box.count == 0 { return Shape(.scalar(.string("any"))) }
        throw Unsupported("a schema has none of $ref, anyOf, enum, type")
    }

    private static func pick(_ box: Value.DictBox, _ keys: Set<String>) -> [(String, Value)] {
        box.pairs.compactMap { key, value in
            guard case let .string(name) = key, keys.contains(name) else { return nil }
            return (name, value)
        }
    }

    /// The enum values must fit a declared type, as the Python encoder checks them.
    private static func checkEnum(_ values: Value, _ declared: Value) throws(Unsupported) {
        var declared = declared
        if case let .list(list) = declared {
            let items = list.items
            if items.count == 1 {
                declared = items[0]
            } else if items.count == 2, items.contains(where: { $0.isString("null") }) {
                declared = items[0].isString("null") ? items[1] : items[0]
            } else {
                throw Unsupported("an enum with type list \(declared.pythonRepr) is not supported")
            }
        }
        for value in try pythonIteration(values) {
            if case .none = value { continue }
            let fits: Bool
            switch value {
            case .string: fits = declared.isString("string") || !isCheckedType(declared)
            case .bool: fits = !declared.isString("string")
            case .int, .bigInt: fits = !declared.isString("string") && !declared.isString("boolean")
            case .float: fits = !declared.isString("string") && !declared.isString("integer") && !declared.isString("boolean")
            default: fits = !isCheckedType(declared)
            }
            if !fits { throw Unsupported("enum value \(value.pythonRepr) does not fit type \(declared.pythonRepr)") }
        }
    }

    private static func isCheckedType(_ declared: Value) -> Bool {
        ["string", "number", "integer", "boolean"].contains { declared.isString($0) }
    }

    private static func parseObject(_ schema: Value, _ scope: Scope) throws(Unsupported) -> Shape {
        guard case let .dict(box) = schema else { throw Unsupported("parameters are \(schema.typeName), not an object") }
        let info = ObjectInfo()
        let shape = Shape(.object(info), note: box[.string("description")] ?? .string(""))
        if box.count == 0 { return shape }
        if let definitions = box[.string("$defs")] { try scope.learn(definitions) }
        switch box[.string("additionalProperties")] {
        case nil, .none?: info.extra = nil
        case let extra? where { if case .dict = extra { true } else { false } }():
            info.extra = .shape(try parse(extra, scope))
        case let extra?: info.extra = .raw(extra)
        }
        guard let properties = box[.string("properties")] else { return shape }
        guard case let .dict(fields) = properties else { throw Unsupported("'properties' is \(properties.typeName), not an object") }
        let required = try pythonSet(box[.string("required")] ?? .list([]))
        for (key, sub) in fields.pairs {
            let name = key.pythonString
            let subShape = try parse(sub, scope)
            var defaultValue: Value?
            if case let .dict(subBox) = sub, let value = subBox[.string("default")], !value.isNone { defaultValue = value }
            info.fields.append(Field(name: name, shape: subShape, optional: !required.contains(name), defaultValue: defaultValue))
        }
        return shape
    }

    /// The strings in Python's `set(value)` (what `required` is turned into); other members can
    /// never equal a property name, so they are dropped, but values Python cannot make a set of fail.
    private static func pythonSet(_ value: Value) throws(Unsupported) -> Set<String> {
        var names: Set<String> = []
        for item in try pythonIteration(value) {
            switch item {
            case let .string(text): names.insert(text)
            case .list, .dict: throw Unsupported("'required' holds an unhashable \(item.typeName)")
            default: break
            }
        }
        return names
    }

    /// Python's `iter(value)` for JSON values: a list's items, a dict's keys, a string's characters.
    private static func pythonIteration(_ value: Value) throws(Unsupported) -> [Value] {
        switch value {
        case let .list(box): return box.items
        case let .dict(box): return box.keys
        case let .string(text): return text.unicodeScalars.map { .string(String($0)) }
        default: throw Unsupported("'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: Printing

    /// A printed shape: text, or the raw type value of a scalar (which Python's f-strings print
    /// with `str()` but which concatenation and `join` refuse).
    private enum Printed {
        case text(String)
        case raw(Value)

        var formatted: String {
            switch self {
            case let .text(text): text
            case let .raw(value): value.pythonString
            }
        }

        func concatenated() throws(Unsupported) -> String {
            switch self {
            case let .text(text): return text
            case let .raw(value):
                if case let .string(text) = value { return text }
                throw Unsupported("can only concatenate str (not \"\(value.typeName)\") to str")
            }
        }
    }

    private static func comment(_ note: Value, pad: String) throws(Unsupported) -> String {
        guard case let .string(text) = note else { throw Unsupported("a description is \(note.typeName), not a string") }
        return splitLines(text).map { $0.isEmpty ? "" : pad + "// " + $0 }.joined(separator: "\n")
    }

    /// `text.split("\n")`: on line feeds only, keeping empty pieces.
    private static func splitLines(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String(String.UnicodeScalarView($0)) }
    }

    /// The comment lines above a field or an array item, each ending in a newline.
    private static func documentation(_ shape: Shape, pad: String) throws(Unsupported) -> String {
        var text = ""
        if shape.note.isTruthy { text += try comment(shape.note, pad: pad) + "\n" }
        if !shape.limits.isEmpty {
            let shown = shape.limits.sorted { PythonOrder.less($0.0, $1.0) }
                .map { "\($0.0): \($0.1.pythonString)" }.joined(separator: ", ")
            text += pad + "// " + shown + "\n"
        }
        return text
    }

    private static func render(_ shape: Shape, pad: String) throws(Unsupported) -> Printed {
        switch shape.kind {
        case let .scalar(declared):
            return declared.isString("integer") ? .text("number") : .raw(declared)
        case let .reference(name):
            return .text(name)
        case let .typeList(names):
            return .text(names.joined(separator: " | "))
        case let .enumeration(values):
            return .text(
                try pythonIteration(values).map { value -> String in
                    if case let .string(text) = value { return "\"" + text + "\"" }
                    return value.pythonString
                }.joined(separator: " | "))
        case let .anyOf(members):
            var parts: [String] = []
            for member in members { parts.append(try render(member, pad: pad).concatenated()) }
            return .text(parts.joined(separator: " | "))
        case let .array(item):
            let inner = pad + step
            let itemDocumentation = try documentation(item, pad: inner)
            if itemDocumentation.isEmpty { return .text("Array<" + (try render(item, pad: pad)).formatted + ">") }
            return .text("Array<\n" + itemDocumentation + inner + (try render(item, pad: inner).concatenated()) + "\n" + pad + ">")
        case let .object(info):
            return .text(try renderObject(info, pad: pad))
        }
    }

    private static func renderField(_ field: Field, pad: String) throws(Unsupported) -> String {
        var text = try documentation(field.shape, pad: pad)
        if let value = field.defaultValue {
            let shown: String
            switch value {
            case .int, .bigInt, .float, .bool: shown = value.pythonRepr
            default: shown = Value.jsonQuotedValue(value)
            }
            text += pad + "// Default: " + shown + "\n"
        }
        return text + pad + field.name + (field.optional ? "?" : "") + ": " + (try render(field.shape, pad: pad)).formatted
    }

    private static func renderObject(_ info: ObjectInfo, pad: String) throws(Unsupported) -> String {
        let inner = pad + step
        let byName = { (a: Field, b: Field) in PythonOrder.less(a.name, b.name) }
        let ordered = info.fields.filter { !$0.optional }.sorted(by: byName) + info.fields.filter(\.optional).sorted(by: byName)
        var lines: [String] = []
        for field in ordered { lines.append(try renderField(field, pad: inner)) }
        switch info.extra {
        case nil: break
        case let .shape(shape)?: lines.append(inner + "[k: string]: " + (try render(shape, pad: inner)).formatted)
        case .raw(.bool(true))?: lines.append(inner + "[k: string]: any")
        case .raw(.bool(false))?: lines.append(inner + "[k: string]: never")
        case let .raw(other)?: throw Unsupported("unsupported additionalProperties \(other.pythonRepr)")
        }
        if lines.isEmpty { return "{}" }
        return "{\n" + lines.joined(separator: fieldSeparator) + "\n" + pad + "}"
    }

    private static func functionBlock(_ function: Value) throws(Unsupported) -> String {
        guard case let .dict(box) = function else { throw Unsupported("'function' is \(function.typeName), not an object") }
        let scope = Scope()
        let parameters = box[.string("parameters")].flatMap { $0.isTruthy ? $0 : nil } ?? .dict([])
        let root = try parseObject(parameters, scope)
        // Decided before the definitions are parsed: a `#` seen inside them does not change the root.
        let rootIsInterface = scope.sawRootReference
        guard case let .object(rootInfo) = root.kind else { throw Unsupported("parameters did not parse as an object") }

        var pieces: [String] = []
        if rootIsInterface {
            var fields: [String] = []
            for field in rootInfo.fields { fields.append(try renderField(field, pad: step)) }
            let body = fields.joined(separator: fieldSeparator)
            pieces.append("interface parameters {" + (body.isEmpty ? "" : "\n" + body + "\n") + "}")
        }
        let definitions = scope.definitionNames.map { ($0, scope.definitions[$0] ?? .none) }
        for (name, schema) in definitions {
            let text = try render(try parse(schema, scope), pad: "").formatted
            guard case let .dict(schemaBox) = schema else { throw Unsupported("definition '\(name)' is \(schema.typeName), not an object") }
            let note = schemaBox[.string("description")] ?? .string("")
            let head = note.isTruthy ? try comment(note, pad: "") + "\n" : ""
            pieces.append(head + "interface " + name + " " + text)
        }
        let name = (box[.string("name")] ?? .string("function")).pythonString
        let signature =
            rootIsInterface
            ? "type \(name) = (_: parameters) => any;"
            : "type \(name) = (_: \(try render(root, pad: "").formatted)) => any;"
        let about = box[.string("description")] ?? .none
        let aboutText = about.isTruthy ? try comment(about, pad: "") : ""
        return [pieces.joined(separator: "\n"), aboutText, signature].filter { !$0.isEmpty }.joined(separator: "\n")
    }
}

/// Python's ordering of strings: by code point, not by Unicode canonical equivalence as Swift's
/// `<` compares.
enum PythonOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    static func less(_ a: Value, _ b: Value) -> Bool {
        less(a.pythonString, b.pythonString)
    }
}

extension Value {
    /// Whether this is the string `text`.
    func isString(_ text: String) -> Bool {
        if case let .string(value) = self { value == text } else { false }
    }

    var isNone: Bool {
        if case .none = self { true } else { false }
    }

}
