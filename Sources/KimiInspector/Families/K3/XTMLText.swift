import KimiChatTemplate
import KimiTokenizer

/// The XTML of a Kimi K3 prompt read back from its text: the segments K3's builder would have
/// made for it, and the parts of a tag.
///
/// Every marker is a control segment; a tag's name and each attribute's ` key`, `="`, value and
/// `"` are text segments of their own; the text between tags is one text segment. This is how
/// the builder writes them (it escapes `&` and `"` in values), so for a prompt whose text holds
/// no marker strings written by a user it gives back the builder's segments.
package enum XTMLText {
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
    package static let elements = Set(K3Renderer.XTMLElement.allCases.map(\.rawValue))

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

    /// The segments of a prompt's text (see the type's description). A marker counts as a
    /// control segment only where the builder would write one: `<|open|>message …<|sep|>` at
    /// the top level, the other elements inside a message, `<|close|>NAME<|sep|>` for the
    /// element open, `<|end_of_msg|>` right after a message closes. Anywhere else (a user's
    /// `<|end_of_msg|>` in their text, a whole message pasted into a message) it is text, as
    /// the builder encodes it, so the segments are those of the request that produced the
    /// prompt even when its strings spell markers.
    public static func segments(of text: String) -> [PromptSegment] {
        var segments: [PromptSegment] = []
        var content = ""
        var open: [String] = []
        var messageJustClosed = false
        var rest = Substring(text)
        func put(_ piece: Substring, special: Bool = false) {
            if !content.isEmpty {
                segments.append(PromptSegment(text: content, special: false))
                content = ""
            }
            if !piece.isEmpty { segments.append(PromptSegment(text: String(piece), special: special)) }
        }
        while !rest.isEmpty {
            guard let marker = nextMarker(in: rest) else {
                content += rest
                break
            }
            let before = rest[..<marker.range.lowerBound]
            let after = rest[marker.range.upperBound...]
            if !before.isEmpty { messageJustClosed = false }
            content += before
            let sep = after.range(of: "<|sep|>")
            let tagText = sep.map { String(after[..<$0.lowerBound]) }
            switch marker.name {
            case "<|open|>":
                if let tagText, let sep, let tag = parseTag(tagText), elements.contains(tag.name), (tag.name == "message") == open.isEmpty {
                    put(rest[marker.range], special: true)
                    put(Substring(tag.name))
                    for (key, value) in tag.attributes {
                        put(Substring(" " + key))
                        put("=\"")
                        put(Substring(value))
                        put("\"")
                    }
                    put(after[sep], special: true)
                    open.append(tag.name)
                    messageJustClosed = false
                    rest = after[sep.upperBound...]
                    continue
                }
            case "<|close|>":
                if let tagText, let sep, tagText == open.last {
                    put(rest[marker.range], special: true)
                    put(Substring(tagText))
                    put(after[sep], special: true)
                    open.removeLast()
                    messageJustClosed = open.isEmpty && tagText == "message"
                    rest = after[sep.upperBound...]
                    continue
                }
            case "<|end_of_msg|>":
                if messageJustClosed {
                    put(rest[marker.range], special: true)
                    messageJustClosed = false
                    rest = after
                    continue
                }
            default: break
            }
            // A marker where the builder writes none: the text of a string that spells it.
            content += rest[marker.range]
            messageJustClosed = false
            rest = after
        }
        put("")
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
