import Foundation

/// Writes JSON: every command's `--json` and every service answer go through here, so the two
/// are byte for byte the same (keys sorted, slashes not escaped).
public enum JSONWriter {
    /// `value` as JSON bytes, keys sorted.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `value` written back as JSON text: objects keep their key order, integers their digits.
    /// A value read by ``JSONReader`` and written here reads back equal.
    public static func bytes(of value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        append(value, to: &output)
        return output
    }

    private static func append(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output += "null".utf8
        case let .bool(flag): output += (flag ? "true" : "false").utf8
        case let .int(number): output += String(number).utf8
        case let .bigInt(digits): output += digits.utf8
        case let .float(number):
            // JSON has no NaN or infinity; Python's json.dumps writes them as these names.
            if number.isNaN {
                output += "NaN".utf8
            } else if number.isInfinite {
                output += (number < 0 ? "-Infinity" : "Infinity").utf8
            } else {
                output += "\(number)".utf8
            }
        case let .string(text): appendString(text, to: &output)
        case let .array(items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                append(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let .object(pairs):
            output.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(pair.key, to: &output)
                output.append(UInt8(ascii: ":"))
                append(pair.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += "\\\"".utf8
            case UInt8(ascii: "\\"): output += "\\\\".utf8
            case UInt8(ascii: "\n"): output += "\\n".utf8
            case UInt8(ascii: "\r"): output += "\\r".utf8
            case UInt8(ascii: "\t"): output += "\\t".utf8
            case 0..<0x20: output += String(format: "\\u%04x", byte).utf8
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
