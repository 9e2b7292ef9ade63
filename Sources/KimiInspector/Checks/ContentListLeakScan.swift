import KimiChatTemplate

/// Finds Python reprs of content parts (`[{'type': 'text', 'text': ''}]`) in message text: what
/// an old template prints when it is given list content. With the request in hand, text its
/// messages wrote themselves is not a leak: as many occurrences of a pattern as the request's
/// own strings hold are passed over, across the whole prompt.
struct ContentListLeakScan {
    static let patterns = ["[{'type': '", "{'type': 'text'", "{'type': 'image", "{'text': '"]

    private let request: ChatRequest?
    /// How many times the request's own strings hold each pattern (counted when text first holds
    /// an opening: most prompts never do).
    private var written: [String: Int]?

    /// What every pattern starts its repr with: text without it holds none of them.
    private static let opening = Array("{'".utf8)

    init(request: ChatRequest?) {
        self.request = request
    }

    private static func written(by request: ChatRequest?) -> [String: Int] {
        guard let request else { return [:] }
        let strings = MarkerScan.strings(in: request.messages).filter { $0.occurrences(of: "{'") > 0 }
        var written: [String: Int] = [:]
        for pattern in patterns { written[pattern] = strings.reduce(0) { $0 + $1.occurrences(of: pattern) } }
        return written
    }

    /// The byte offset in `bytes` of the first leaked repr, if any; what the request wrote is
    /// used up as it is passed over.
    mutating func leak(in bytes: ArraySlice<UInt8>) -> Int? {
        let opens = bytes.withUnsafeBufferPointer { haystack in Self.opening.withUnsafeBufferPointer { String.occurrences(of: $0, in: haystack) } }
        guard opens > 0 else { return nil }
        var written = self.written ?? Self.written(by: request)
        defer { self.written = written }
        for pattern in Self.patterns {
            var needle = pattern
            let count = bytes.withUnsafeBufferPointer { haystack in needle.withUTF8 { String.occurrences(of: $0, in: haystack) } }
            guard count > 0 else { continue }
            let allowed = written[pattern, default: 0]
            written[pattern] = max(0, allowed - count)
            if count <= allowed { continue }
            return bytes.firstRange(of: Array(pattern.utf8)).map { $0.lowerBound - bytes.startIndex }
        }
        return nil
    }

    /// The finding's message for a leak at `offset` of `bytes`, in the message named `who`.
    static func message(_ who: String, _ bytes: ArraySlice<UInt8>, at offset: Int) -> String {
        let start = bytes.startIndex + offset
        return "the \(who) contains a Python repr of content parts: \(String(decoding: bytes[start..<min(bytes.endIndex, start + 40)], as: UTF8.self))…"
    }

    static let fix = "render list content by iterating its text parts (a fixed chat template), or send content as a string"
}
