/// Text input that must be valid UTF-8: kimi-tok never silently replaces bad bytes.
public enum UTF8Input {
    /// The text of `bytes`, or an error naming the offset of the first invalid byte.
    public static func decode(_ bytes: [UInt8]) throws(InvalidUTF8Error) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let offset = invalidOffset(bytes) ?? 0
        throw InvalidUTF8Error(byteOffset: offset, byte: bytes[offset])
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence.
    public static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        // The standard library's validation is fast on valid text; the offset needs a decoder.
        String(validating: bytes, as: UTF8.self) == nil ? invalidOffset(bytes) : nil
    }

    /// The offset of the first invalid byte, found by decoding scalar by scalar.
    private static func invalidOffset(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                // The decoder consumed the bad sequence; find its first bad byte from `offset`.
                return offset
            }
        }
    }
}

/// Input bytes that are not valid UTF-8.
public struct InvalidUTF8Error: Error, Equatable, CustomStringConvertible {
    /// The offset of the first byte that is not part of a valid sequence.
    public let byteOffset: Int
    /// That byte.
    public let byte: UInt8

    public init(byteOffset: Int, byte: UInt8) {
        self.byteOffset = byteOffset
        self.byte = byte
    }

    public var description: String {
        "invalid UTF-8 at byte offset \(byteOffset) (byte 0x\(String(byte, radix: 16, uppercase: true)))"
    }
}
