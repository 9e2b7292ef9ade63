/// Makes token bytes readable by people without hiding anything: whitespace, control
/// characters and bytes that are not a whole UTF-8 character are shown as escapes.
public enum TokenDisplay {
    /// The visible form of one token's bytes.
    ///
    /// Space is `␣`, tab, LF and CR are `\t`, `\n` and `\r`, a backslash is `\\`, other
    /// whitespace and control or format characters are `\u{XXXX}`, and each byte of an
    /// incomplete or invalid UTF-8 sequence is `\xNN`.
    public static func visible(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var result = ""
        var index = 0
        while index < bytes.count {
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            if case let .scalarValue(scalar) = decoder.decode(&iterator) {
                result += escape(scalar)
                index += UTF8.width(scalar)
            } else {
                // Every byte of a bad or cut sequence shows on its own.
                result += "\\x" + hex(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": return "␣"
        case "\t": return "\\t"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\\": return "\\\\"
        default:
            let properties = scalar.properties
            let category = properties.generalCategory
            if properties.isWhitespace || category == .control || category == .format
                || category == .lineSeparator || category == .paragraphSeparator
                || category == .unassigned || category == .surrogate || category == .privateUse
            {
                return "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
            return String(scalar)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
