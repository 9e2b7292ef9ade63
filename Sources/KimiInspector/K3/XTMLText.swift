import KimiTokenizer

/// The XTML of a Kimi K3 prompt read back from its text: the segments K3's builder would have
/// made for it, and the parts of a tag.
///
/// Every marker is a control segment; a tag's name and each attribute's ` key`, `="`, value and
/// `"` are text segments of their own; the text between tags is one text segment. This is how
/// the builder writes them (it escapes `&` and `"` in values), so for a prompt whose text holds
/// no marker strings written by a user it gives back the builder's segments.
public enum XTMLText {
    /// A parsed tag: its name and attributes, in order.
    public struct Tag: Sendable, Equatable {
        public let name: String
        public let attributes: [(key: String, value: String)]

        public static func == (a: Tag, b: Tag) -> Bool {
            a.name == b.name && a.attributes.elementsEqual(b.attributes) { $0.key == $1.key && $0.value == $1.value }
        }

        public subscript(key: String) -> String? { attributes.first { $0.key == key }?.value }

        /// The value of `key` with the builder's escapes (`&amp;`, `&quot;`) undone.
        public func unescaped(_ key: String) -> String? {
            self[key].map { $0.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&") }
        }
    }

    /// The elements the builder writes.
    public static let elements: Set<String> = ["message", "think", "response", "tools", "call", "argument", "json"]

    /// `name key="value" ...` as the builder writes it, or `nil` when it is not.
    public static func parseTag(_ text: String) -> Tag? {
        var scalars = Substring(text).unicodeScalars[...]
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
        }
        let name = String(String.UnicodeScalarView(scalars.prefix(while: isNameScalar)))
        guard !name.isEmpty else { return nil }
        scalars = scalars.dropFirst(name.unicodeScalars.count)
        var attributes: [(key: String, value: String)] = []
        while !scalars.isEmpty {
            guard scalars.first == " " else { return nil }
            scalars = scalars.dropFirst()
            let key = String(String.UnicodeScalarView(scalars.prefix(while: isNameScalar)))
            guard !key.isEmpty else { return nil }
            scalars = scalars.dropFirst(key.unicodeScalars.count)
            guard scalars.starts(with: "=\"".unicodeScalars) else { return nil }
            scalars = scalars.dropFirst(2)
            guard let quote = scalars.firstIndex(of: "\"") else { return nil }
            attributes.append((key, String(String.UnicodeScalarView(scalars[..<quote]))))
            scalars = scalars[scalars.index(after: quote)...]
        }
        return Tag(name: name, attributes: attributes)
    }

    /// The segments of a prompt's text (see the type's description).
    public static func segments(of text: String) -> [PromptSegment] {
        var segments: [PromptSegment] = []
        var rest = Substring(text)
        func put(_ piece: Substring, special: Bool = false) {
            if !piece.isEmpty { segments.append(PromptSegment(text: String(piece), special: special)) }
        }
        while !rest.isEmpty {
            guard let marker = nextMarker(in: rest) else {
                put(rest)
                break
            }
            put(rest[..<marker.range.lowerBound])
            put(rest[marker.range], special: true)
            rest = rest[marker.range.upperBound...]
            guard marker.name == "<|open|>" || marker.name == "<|close|>", let sep = rest.range(of: "<|sep|>") else { continue }
            let tagText = rest[..<sep.lowerBound]
            if marker.name == "<|open|>", let tag = parseTag(String(tagText)) {
                put(Substring(tag.name))
                for (key, value) in tag.attributes {
                    put(Substring(" " + key))
                    put("=\"")
                    put(Substring(value))
                    put("\"")
                }
            } else {
                put(tagText)
            }
            put(rest[sep], special: true)
            rest = rest[sep.upperBound...]
        }
        return segments
    }

    private static func nextMarker(in text: Substring) -> (name: String, range: Range<Substring.Index>)? {
        var best: (name: String, range: Range<Substring.Index>)?
        for name in K3Markers.names {
            if let range = text.range(of: name), best.map({ range.lowerBound < $0.range.lowerBound }) ?? true { best = (name, range) }
        }
        return best
    }
}
