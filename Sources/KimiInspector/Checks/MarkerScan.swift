import KimiChatTemplate
import KimiIO

/// Finding special-token names in bytes and strings: what the text rules of every family share.
enum MarkerScan {
    /// `<|…|>` candidates (up to 64 bytes) and the vocabulary's other names (`[EOS]`, `<think>`),
    /// with their byte offsets.
    static func candidates(in bytes: [UInt8], plainNames: [String] = ["[BOS]", "[EOS]", "[EOT]", "[UNK]", "[PAD]"]) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "|") {
                var end = index + 2
                while end + 1 < bytes.count, end - index < 64,
                    !(bytes[end] == UInt8(ascii: "|") && bytes[end + 1] == UInt8(ascii: ">")),
                    bytes[end] != UInt8(ascii: "<"), bytes[end] >= 0x21
                {
                    end += 1
                }
                if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "|"), bytes[end + 1] == UInt8(ascii: ">"), end > index + 2 {
                    result.append((index, String(decoding: bytes[index..<end + 2], as: UTF8.self)))
                    index = end + 2
                    continue
                }
            }
            if bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "<") {
                for name in plainNames where bytes[index...].starts(with: name.utf8) {
                    result.append((index, name))
                }
            }
            index += 1
        }
        return result
    }

    /// Every string anywhere in the values (content, parts, reasoning, arguments, results).
    static func strings(in values: [Value]) -> [String] {
        var strings: [String] = []
        func collect(_ value: Value) {
            switch value {
            case let .string(text): strings.append(text)
            case let .list(box): box.items.forEach(collect)
            case let .dict(box): box.values.forEach(collect)
            default: break
            }
        }
        values.forEach(collect)
        return strings
    }
}

extension String {
    /// How many times `pattern` occurs, not overlapping, as bytes of UTF-8 (no Unicode
    /// equivalence: the patterns searched for are ASCII markup).
    func occurrences(of pattern: String) -> Int {
        var text = self
        var pattern = pattern
        return text.withUTF8 { haystack in pattern.withUTF8 { needle in Self.occurrences(of: needle, in: haystack) } }
    }

    /// How many times `needle` occurs in `haystack`, not overlapping.
    static func occurrences(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int {
        guard let first = needle.first else { return 0 }
        var count = 0
        var offset = 0
        let last = haystack.count - needle.count
        while offset <= last {
            guard haystack[offset] == first else {
                offset += 1
                continue
            }
            var matched = 1
            while matched < needle.count, haystack[offset + matched] == needle[matched] { matched += 1 }
            if matched == needle.count {
                count += 1
                offset += needle.count
            } else {
                offset += 1
            }
        }
        return count
    }
}
