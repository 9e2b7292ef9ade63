/// JSON built in order and written out as text, for requests whose key order matters.
indirect enum JSONText {
    case object([(String, JSONText)])
    case array([JSONText])
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case null

    var text: String {
        switch self {
        case let .object(pairs): "{" + pairs.map { JSONText.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        case let .array(items): "[" + items.map(\.text).joined(separator: ",") + "]"
        case let .string(s): JSONText.quote(s)
        case let .int(i): String(i)
        case let .float(d): "\(d)"
        case let .bool(b): b ? "true" : "false"
        case .null: "null"
        }
    }

    static func quote(_ s: String) -> String {
        var result = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
