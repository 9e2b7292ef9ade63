/// Kimi's tool-call IDs: `functions.NAME:IDX`.
public enum ToolCallID {
    /// The NAME and IDX of a `functions.NAME:IDX` ID; `nil` for any other form.
    public static func parseStandard(_ id: String) -> (name: String, index: Int)? {
        guard id.hasPrefix("functions."), let colon = id.lastIndex(of: ":") else { return nil }
        let name = id[id.index(id.startIndex, offsetBy: 10)..<colon]
        let digits = id[id.index(after: colon)...]
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == ":" }),
            !digits.isEmpty, digits.allSatisfy(\.isASCII), let index = Int(digits), index >= 0,
            digits.allSatisfy({ $0.isNumber })
        else { return nil }
        return (String(name), index)
    }
}
