import KimiIO

extension Value {
    /// A JSON value as a template value: objects become insertion-ordered dicts, arrays lists.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case let .bool(flag): self = .bool(flag)
        case let .int(number): self = .int(number)
        case let .bigInt(digits): self = .bigInt(digits)
        case let .float(number): self = .float(number)
        case let .string(text): self = .string(text)
        case let .array(items): self = .list(items.map(Value.init(json:)))
        case let .object(pairs): self = .dict(DictBox(pairs.map { (.string($0.key), Value(json: $0.value)) }))
        }
    }
}

extension JSONReader {
    /// Parses one JSON document into a template value.
    public static func parseValue(_ bytes: [UInt8]) throws(SyntaxError) -> Value {
        Value(json: try parse(bytes))
    }
}
