/// The two- and three-byte characters inside which no token boundary can fall, in any text:
/// one bit per character, for the backtracking merge to skip tokens that end inside one.
///
/// A boundary inside character `c` puts a token `L` that ends with the first byte or two of
/// `c` before a token `R` that starts with the rest (or with a part of the rest). Every pair of
/// adjacent tokens in a byte-pair encoding is a valid pair, so if no such `L` and `R` form a
/// valid pair, no encoding has a boundary inside `c`, and a token ending inside it leads
/// nowhere. The merge would find that out by trying every token after it and backtracking;
/// the bit says so at once. Most Cyrillic, Greek, Arabic, CJK, kana and Hangul characters
/// qualify; a character that is not itself a token never does.
enum SplitFreeCharacters {
    /// Bits `0..<65536` are three-byte characters by their 16 payload bits; the next 2048 are
    /// two-byte characters by their 11.
    static let wordCount = (twoByteBits + 2048) / 64

    /// The first bit of the two-byte characters.
    private static let twoByteBits = 65536

    /// Derives the bits from every token's bytes and the valid-pair test.
    static func build(tokenCount: Int, bytes: (Int) -> ArraySlice<UInt8>, isValidPair: (UInt32, UInt32) -> Bool) -> [UInt64] {
        // Tokens by their incomplete last character (its first one or two bytes) and by their
        // first one or two bytes when those are continuation bytes.
        var endingWith: [UInt32: [UInt32]] = [:]
        var startingWith: [UInt32: [UInt32]] = [:]
        var oneByteTokens = [[UInt32]](repeating: [], count: 256)
        for rank in 0..<tokenCount {
            let token = Array(bytes(rank))
            if token.count == 1 { oneByteTokens[Int(token[0])] = [UInt32(rank)] }
            if let tail = incompleteTail(of: token) { endingWith[tail, default: []].append(UInt32(rank)) }
            if let first = token.first, isContinuation(first) {
                startingWith[key(first), default: []].append(UInt32(rank))
                if token.count >= 2, isContinuation(token[1]) {
                    startingWith[key(first, token[1]), default: []].append(UInt32(rank))
                }
            }
        }
        func anyValid(_ lefts: [UInt32]?, _ rights: [UInt32]) -> Bool {
            guard let lefts else { return false }
            return lefts.contains { left in rights.contains { right in isValidPair(left, right) } }
        }
        var words = [UInt64](repeating: 0, count: wordCount)
        func set(_ bit: Int) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
        for lead in UInt8(0xE0)...0xEF {
            for second in UInt8(0x80)...0xBF {
                for third in UInt8(0x80)...0xBF {
                    // Cut after the lead byte only: the right token starts with both
                    // continuation bytes.
                    if anyValid(endingWith[key(lead)], startingWith[key(second, third)] ?? []) { continue }
                    // Cut before the third byte only.
                    if anyValid(endingWith[key(lead, second)], startingWith[key(third)] ?? []) { continue }
                    // Both cuts: the second byte is a token of its own between them.
                    let middle = oneByteTokens[Int(second)]
                    if anyValid(endingWith[key(lead)], middle), anyValid(middle, startingWith[key(third)] ?? []) { continue }
                    set(Int(UTF8Scalars.threeBytePayload(lead, second, third)))
                }
            }
        }
        for lead in UInt8(0xC0)...0xDF {
            for second in UInt8(0x80)...0xBF where !anyValid(endingWith[key(lead)], startingWith[key(second)] ?? []) {
                set(twoByteBits + Int(UTF8Scalars.twoBytePayload(lead, second)))
            }
        }
        return words
    }

    /// Whether the token of `tokenLength` bytes that ends at `end` of `text` (`0 < end <
    /// text.count`) ends inside a character whose bit is set in `words`. Any bytes: a token
    /// that ends after a character's second byte must hold its first to be ruled out.
    @inline(__always)
    static func endsInside(
        _ text: UnsafeBufferPointer<UInt8>, at end: Int, tokenLength: Int,
        words: UnsafeBufferPointer<UInt64>
    ) -> Bool {
        let byte = text[end]
        guard isContinuation(byte) else { return false }
        let before = text[end - 1]
        let bit: Int
        if before & 0xE0 == 0xC0 {
            bit = twoByteBits + Int(UTF8Scalars.twoBytePayload(before, byte))
        } else if before & 0xF0 == 0xE0 {
            guard end + 1 < text.count, isContinuation(text[end + 1]) else { return false }
            bit = Int(UTF8Scalars.threeBytePayload(before, byte, text[end + 1]))
        } else if isContinuation(before), end >= 2, text[end - 2] & 0xF0 == 0xE0, tokenLength >= 2 {
            bit = Int(UTF8Scalars.threeBytePayload(text[end - 2], before, byte))
        } else {
            return false
        }
        return isSet(bit, in: words)
    }

    /// Whether `scalar`'s bit is set in `words` (never for one of one or four bytes).
    static func contains(_ scalar: Unicode.Scalar, words: UnsafeBufferPointer<UInt64>) -> Bool {
        let value = Int(scalar.value)
        let bit: Int
        switch value {
        case 0x80..<0x800: bit = twoByteBits + value
        case 0x800..<0x10000: bit = value
        default: return false
        }
        return isSet(bit, in: words)
    }

    @inline(__always)
    private static func isSet(_ bit: Int, in words: UnsafeBufferPointer<UInt64>) -> Bool {
        words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    @inline(__always)
    private static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }

    /// The first one or two bytes of a two- or three-byte character that `token` ends in before
    /// its end, as a key; `nil` if it ends with a whole character (or inside a four-byte one).
    private static func incompleteTail(of token: [UInt8]) -> UInt32? {
        guard let last = token.last else { return nil }
        if last & 0xE0 == 0xC0 || last & 0xF0 == 0xE0 { return key(last) }
        if token.count >= 2, isContinuation(last), token[token.count - 2] & 0xF0 == 0xE0 {
            return key(token[token.count - 2], last)
        }
        return nil
    }

    /// Keys for one byte and for two, kept apart.
    private static func key(_ byte: UInt8) -> UInt32 { UInt32(byte) }
    private static func key(_ first: UInt8, _ second: UInt8) -> UInt32 { 0x1_0000 | UInt32(first) << 8 | UInt32(second) }
}
