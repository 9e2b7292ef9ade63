/// Seeded OpenAI-style tool lists for the K2.5 TypeScript declaration: nested objects, enums,
/// `anyOf`, type lists, `$defs` / `$ref` (named and `#`), defaults of every JSON type, limits,
/// multi-line and non-ASCII descriptions, empty and missing parameters, non-function tools, and
/// a share of schemas the model's encoder refuses (so the JSON fallback is exercised too).
struct RandomToolSchema {
    var random: RandomText

    init(seed: UInt64) { random = RandomText(seed: seed) }

    mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

    static let names = ["city", "unit", "q", "数量", "Zeta", "alpha", "_private", "B", "a", "élan", "count", "x-y"]
    static let descriptions = [
        "The city name.", "城市名称", "Température en °C", "Line one.\nLine two.", "Ends with a newline\n",
        "Blank\n\nline between", "  indented", "Emoji 🌦️ weather", "Quote \" and backslash \\", "",
    ]

    mutating func description() -> JSONText {
        if chance(3) { return random.pick([.int(0), .null, .array([]), .int(7), .bool(true)]) }
        return .string(random.pick(Self.descriptions))
    }

    mutating func scalarDefault(_ type: String) -> JSONText {
        switch random.below(12) {
        case 0: return .string(random.pick(["celsius", "東京", "", "with \"quotes\"", "multi\nline"]))
        case 1: return .int(random.pick([0, 3, -7, 1_000_000]))
        case 2: return .float(random.pick([1.5, 2.0, 1e-7, 1e20, -0.25, 100.0, 0.1]))
        case 3: return .bool(chance(50))
        case 4: return .null
        case 5: return .array([.string("a"), .int(1), .bool(false), .null])
        case 6: return .object([("k", .string("v")), ("n", .float(2.5)), ("日本", .array([]))])
        default: return type == "string" ? .string("default text") : .int(1)
        }
    }

    mutating func enumValues(_ type: String?) -> JSONText {
        switch random.below(6) {
        case 0: return .array([.string("x"), .string("y"), .string("中文")])
        case 1: return .array([.int(1), .int(2), .float(3.5)])
        case 2: return .array([.string("a"), .int(1), .bool(true), .null])
        case 3: return .array([.string("only")])
        case 4: return type == "integer" ? .array([.int(1), .bool(false)]) : .array([.string("on"), .string("off")])
        default: return .array([.float(1.0), .null])
        }
    }

    mutating func leaf(_ definitions: [String]) -> JSONText {
        var fields: [(String, JSONText)] = []
        let kind = random.below(14)
        switch kind {
        case 0, 1:
            fields.append(("type", .string("string")))
            if chance(30) { fields.append(("maxLength", .int(random.pick([10, 255])))) }
            if chance(20) { fields.append(("minLength", .int(1))) }
            if chance(15) { fields.append(("pattern", .string("^[a-z]+$"))) }
        case 2, 3:
            let type = random.pick(["integer", "number"])
            fields.append(("type", .string(type)))
            if chance(30) { fields.append(("minimum", random.pick([.int(0), .float(0.5), .int(-10)]))) }
            if chance(30) { fields.append(("maximum", random.pick([.int(100), .float(1e3)]))) }
        case 4:
            fields.append(("type", .string(random.pick(["boolean", "null"]))))
        case 5:
            let type = random.pick(["string", "integer", "number", "boolean"])
            if chance(60) { fields.append(("type", chance(15) ? .array([.string(type), .string("null")]) : .string(type))) }
            fields.append(("enum", enumValues(type)))
        case 6:
            var types = [JSONText.string(random.pick(["string", "integer", "number"]))]
            types.append(.string(random.pick(["null", "boolean", "array", "object"])))
            if chance(5) { types.append(.string("datetime")) }
            fields.append(("type", .array(types)))
        case 7:
            return chance(50) ? .bool(chance(70)) : .object([])
        case 8 where !definitions.isEmpty:
            let name = random.pick(definitions)
            fields.append(("$ref", .string(chance(90) ? "#/$defs/\(name)" : "#/$defs/missing")))
        case 9:
            fields.append(("$ref", .string("#")))
        default:
            fields.append(("type", .string("string")))
        }
        if chance(40) { fields.append(("description", description())) }
        if chance(25) { fields.append(("default", scalarDefault("string"))) }
        if chance(2) { fields.removeAll { $0.0 == "type" }; fields.append(("title", .string("no type"))) }
        return .object(fields)
    }

    mutating func schema(depth: Int, _ definitions: [String]) -> JSONText {
        if depth > 2 || chance(45) { return leaf(definitions) }
        switch random.below(5) {
        case 0:
            var fields: [(String, JSONText)] = [("type", .string("array"))]
            if chance(80) { fields.append(("items", schema(depth: depth + 1, definitions))) }
            if chance(25) { fields.append(("minItems", .int(1))) }
            if chance(20) { fields.append(("maxItems", .int(random.pick([3, 10])))) }
            if chance(30) { fields.append(("description", description())) }
            return .object(fields)
        case 1:
            var members: [JSONText] = []
            for _ in 0...random.below(3) { members.append(schema(depth: depth + 1, definitions)) }
            var fields: [(String, JSONText)] = [("anyOf", .array(members))]
            if chance(30) { fields.append(("description", description())) }
            return .object(fields)
        default:
            return object(depth: depth, definitions, root: false)
        }
    }

    mutating func object(depth: Int, _ definitions: [String], root: Bool) -> JSONText {
        var fields: [(String, JSONText)] = [("type", .string("object"))]
        var properties: [(String, JSONText)] = []
        var used: Set<String> = []
        for _ in 0..<random.below(root ? 5 : 4) {
            let name = random.pick(Self.names)
            if used.insert(name).inserted { properties.append((name, schema(depth: depth + 1, definitions))) }
        }
        if chance(90) { fields.append(("properties", .object(properties))) }
        if chance(80) {
            let required = properties.filter { _ in chance(50) }.map { JSONText.string($0.0) }
            fields.append(("required", chance(3) ? .string("q") : .array(required)))
        }
        if chance(15) {
            fields.append(("additionalProperties", random.pick([.bool(true), .bool(false), .object([("type", .string("string"))]), .object([]), .int(3)])))
        }
        if !root, chance(30) { fields.append(("description", description())) }
        return .object(fields)
    }

    mutating func parameters() -> JSONText? {
        switch random.below(20) {
        case 0: return nil
        case 1: return .null
        case 2: return .object([])
        case 3: return .object([("type", .string("object"))])
        default: break
        }
        var definitions: [String] = []
        var defs: [(String, JSONText)] = []
        if chance(25) {
            for name in ["Address", "Item", "日期"].prefix(1 + random.below(3)) {
                let body: JSONText = chance(60) ? object(depth: 1, definitions, root: false) : leaf(definitions)
                defs.append((name, body))
                definitions.append(name)
            }
            if chance(10) { defs.append(("Loop", .object([("$self_ref", .bool(true)), ("type", .string("object"))]))); definitions.append("Loop") }
        }
        guard case var .object(fields) = object(depth: 0, definitions, root: true) else { return nil }
        if !defs.isEmpty { fields.append(("$defs", .object(defs))) }
        return .object(fields)
    }

    mutating func tool(_ name: String) -> JSONText {
        switch random.below(25) {
        case 0: return .object([("type", .string("retrieval"))])
        case 1: return .object([("type", .string("function"))])
        case 2: return .object([("type", .string("function")), ("function", .object([]))])
        default: break
        }
        var function: [(String, JSONText)] = [("name", .string(name))]
        if chance(80) { function.append(("description", chance(10) ? .string("Multi-line\ndescription of \(name).\n") : description())) }
        if let parameters = parameters() { function.append(("parameters", parameters)) }
        return .object([("type", .string("function")), ("function", .object(function))])
    }

    /// A tool list of one to four tools, now and then empty.
    mutating func tools() -> JSONText {
        if chance(3) { return .array([]) }
        var tools: [JSONText] = []
        for name in ["get_weather", "search", "run_python", "翻译", "calc"].prefix(1 + random.below(4)) {
            tools.append(tool(name))
        }
        return .array(tools)
    }
}
