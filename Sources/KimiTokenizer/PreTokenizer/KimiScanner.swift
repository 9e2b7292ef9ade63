import KimiUnicode

/// A hand-written matcher for the Kimi pattern (see ``KimiPattern``): the same leftmost-first,
/// backtracking semantics as the regex, spelled out alternative by alternative, with class
/// membership read from a flat table. It gives exactly the pieces PCRE2 gives (tests compare
/// both, and both with tiktoken) at a fraction of the cost on CJK text, where PCRE2 has to test
/// classes of hundreds of ranges for every character.
struct KimiScanner: Sendable {
    /// Class flags of every scalar, indexed by scalar value.
    private let flags: [UInt8]

    /// A scanner over the Kimi class table.
    init() {
        flags = UnicodeClassTable.kimiFlags
    }

    // ``UnicodeClass``'s bits, as literals: a constant of another module is read through a
    // call on every use, in the matcher's innermost loop. Wrong bits would fail every
    // pre-tokenizer parity test.
    private static let han: UInt8 = 1
    private static let upper: UInt8 = 2
    private static let lower: UInt8 = 4
    private static let letter: UInt8 = 8
    private static let number: UInt8 = 16
    private static let space: UInt8 = 32

    /// Calls `body` with the byte range of each piece of valid UTF-8 `text`.
    @inline(__always)
    func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        flags.withUnsafeBufferPointer { flags in
            var position = 0
            while position < text.count {
                if let end = Self.match(text, at: position, flags) {
                    body(position..<end)
                    position = end
                } else {
                    position += UTF8Scalars.length(leadingByte: text[position])
                }
            }
        }
    }

    /// Calls `body` with the class table that ``pieceEnd(in:at:_:)`` reads, for loops that step
    /// from piece to piece themselves (the encoder's, which keeps pieces queued between steps).
    @inline(__always)
    func withFlags<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try flags.withUnsafeBufferPointer(body)
    }

    /// The end of the piece of valid UTF-8 `text` that starts at `position` (before its end).
    @inline(__always)
    static func pieceEnd(in text: UnsafeBufferPointer<UInt8>, at position: Int, _ flags: UnsafeBufferPointer<UInt8>) -> Int {
        if let end = match(text, at: position, flags) { return end }
        // Every scalar starts some alternative; the skip is kept for the regex's semantics.
        return position + UTF8Scalars.length(leadingByte: text[position])
    }

    /// The scalar at `index` (valid UTF-8) with its flags and length; `nil` at the end.
    @inline(__always)
    private static func scalar(
        _ text: UnsafeBufferPointer<UInt8>, _ index: Int,
        _ flags: UnsafeBufferPointer<UInt8>
    ) -> (value: UInt32, flags: UInt8, length: Int)? {
        guard index < text.count else { return nil }
        let lead = text[index]
        if lead < 0x80 { return (UInt32(lead), flags[Int(lead)], 1) }
        let (value, length) = UTF8Scalars.decode(text, at: index)
        return (value, flags[Int(value)], length)
    }

    @inline(__always) private static func isCRLF(_ value: UInt32) -> Bool { value == 0x0A || value == 0x0D }
    /// `[^\r\n\p{L}\p{N}]`
    @inline(__always) private static func isPrefix(_ s: (value: UInt32, flags: UInt8, length: Int)) -> Bool {
        !isCRLF(s.value) && s.flags & (letter | number) == 0
    }

    /// The end of the match at `start`, trying the alternatives in order.
    @inline(__always)
    private static func match(_ text: UnsafeBufferPointer<UInt8>, at start: Int, _ flags: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = scalar(text, start, flags) else { return nil }
        // [\p{Han}]+
        if first.flags & han != 0 {
            var end = start + first.length
            while true {
                // Most Han characters take three bytes, read without decoding by length.
                if let value = UTF8Scalars.threeByteScalar(text, at: end) {
                    guard flags[value] & han != 0 else { break }
                    end += 3
                } else {
                    guard let s = scalar(text, end, flags), s.flags & han != 0 else { break }
                    end += s.length
                }
            }
            return end
        }
        // [^\r\n\p{L}\p{N}]?[U]*[W]+(?i:'s|…)?  then  [^\r\n\p{L}\p{N}]?[U]+[W]*(?i:'s|…)?
        // Both need an upper-ish or lower-ish character first or second (after a prefix); most
        // punctuation, spaces and digits have neither, and skip them. The second character is
        // only read for that (and below, after a space).
        let firstIsWordlike = first.flags & (upper | lower) != 0
        let second = firstIsWordlike ? nil : scalar(text, start + first.length, flags)
        if firstIsWordlike || second.map({ $0.flags & (upper | lower) != 0 }) == true {
            // Most words are ASCII: after a prefix character, or from the first.
            let lettersFrom = firstIsWordlike ? start : start + 1
            if first.value < 0x80, text[lettersFrom] < 0x80, firstIsWordlike || isPrefix(first),
                let end = asciiWordEnd(text, lettersFrom: lettersFrom)
            {
                return end
            }
            let otherLettersFrom = firstIsWordlike ? start : start + first.length
            if otherLettersFrom < text.count, text[otherLettersFrom] & 0xF0 == 0xE0, firstIsWordlike || isPrefix(first),
                let end = threeByteWordEnd(text, lettersFrom: otherLettersFrom, flags)
            {
                return end
            }
            if let end = word(text, start, first, flags, lowerRequired: true) { return end }
            if let end = word(text, start, first, flags, lowerRequired: false) { return end }
        }
        // \p{N}{1,3}
        if first.flags & number != 0 {
            var end = start + first.length
            for _ in 0..<2 {
                guard let s = scalar(text, end, flags), s.flags & number != 0 else { break }
                end += s.length
            }
            return end
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        let symbols = first.value == 0x20 ? start + 1 : start
        // (A space is not word-like, so `second` was read.)
        if let s = first.value == 0x20 ? second : first, s.flags & (space | letter | number) == 0 {
            var end = symbols + s.length
            while let s = scalar(text, end, flags), s.flags & (space | letter | number) == 0 { end += s.length }
            while let s = scalar(text, end, flags), isCRLF(s.value) { end += s.length }
            return end
        }
        guard first.flags & space != 0 else { return nil }
        // The whitespace run, and where its last CR or LF is.
        var runEnd = start
        var lastLineBreak = -1
        var lastStart = start
        while let s = scalar(text, runEnd, flags), s.flags & space != 0 {
            if isCRLF(s.value) { lastLineBreak = runEnd }
            lastStart = runEnd
            runEnd += s.length
        }
        // \s*[\r\n]+ : backtracks to the last line break of the run.
        if lastLineBreak >= 0 { return lastLineBreak + 1 }
        // \s+(?!\S) : the whole run at the end of the text, else all but its last character.
        if runEnd == text.count { return runEnd }
        if lastStart > start { return lastStart }
        // \s+
        return runEnd
    }

    /// The end of the word alternatives' match when its letters start at `from` and are ASCII,
    /// followed by an ASCII byte or the end of the text; `nil` when the general match must
    /// decide (no ASCII letter at `from`, or a byte from 0x80 after the letters, which could
    /// be a letter or mark that continues the word).
    ///
    /// In ASCII the only letters are A–Z (`Lu`: the leading class only) and a–z (`Ll`: the
    /// trailing class only), with no marks, so both word alternatives take the capitals then
    /// the small letters, and differ only in which of the two runs may be empty.
    @_transparent
    private static func asciiWordEnd(_ text: UnsafeBufferPointer<UInt8>, lettersFrom from: Int) -> Int? {
        let count = text.count
        let index = asciiLettersEnd(text, from: from)
        guard index > from, index == count || text[index] < 0x80 else { return nil }
        return index + contraction(text, index)
    }

    /// The end of the run of capitals then small letters (ASCII) from `from`. Both runs are
    /// measured in one word, with no branch on their bytes, when eight bytes remain and the
    /// runs end inside them: most words. Loops over the bytes mispredicted the end of each run
    /// (English 1.13x, Python 1.16x, alternated in both orders).
    @_transparent
    private static func asciiLettersEnd(_ text: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard text.count - from >= 8 else {
            return asciiRunEnd(text, from: asciiRunEnd(text, from: from, in: 0x41...0x5A), in: 0x61...0x7A)
        }
        let word = UInt64(littleEndian: UnsafeRawPointer(text.baseAddress.unsafelyUnwrapped + from).loadUnaligned(as: UInt64.self))
        let capitals = ByteLanes.leadingCount(ByteLanes.asciiLanes(of: word, in: 0x41...0x5A))
        if capitals == 8 {
            return asciiRunEnd(text, from: asciiRunEnd(text, from: from + 8, in: 0x41...0x5A), in: 0x61...0x7A)
        }
        // The lanes shifted in from the top are unmarked, so the count stops at the word's end.
        let letters = capitals + ByteLanes.leadingCount(ByteLanes.asciiLanes(of: word, in: 0x61...0x7A) >> UInt64(8 * capitals))
        return letters < 8 ? from + letters : asciiRunEnd(text, from: from + 8, in: 0x61...0x7A)
    }

    /// The end of the run of bytes in `range` (ASCII) that starts at `start`, eight bytes at a
    /// time while eight remain.
    @inline(__always)
    private static func asciiRunEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int, in range: ClosedRange<UInt8>) -> Int {
        let base = UnsafeRawPointer(text.baseAddress.unsafelyUnwrapped)
        var index = start
        while text.count - index >= 8 {
            let word = UInt64(littleEndian: (base + index).loadUnaligned(as: UInt64.self))
            let run = ByteLanes.leadingCount(ByteLanes.asciiLanes(of: word, in: UInt64(range.lowerBound)...UInt64(range.upperBound)))
            index += run
            if run < 8 { return index }
        }
        while index < text.count, range.contains(text[index]) { index += 1 }
        return index
    }

    /// The end of the word alternatives' match when its letters start at `from` with a run of
    /// three-byte characters in both letter classes (`Lo`, `Lm` and marks: kana, Hangul, Thai)
    /// that the end of the text or a character in neither class follows; `nil` when the
    /// general match must decide. (Two-byte characters are left to the general match: taking
    /// them too slowed the other scripts and did not help Arabic.)
    ///
    /// Both alternatives then match the run: the leading class takes all of it, and the
    /// trailing one gives back its last character (which it also holds), with or without a
    /// prefix character before `from`.
    @_transparent
    private static func threeByteWordEnd(
        _ text: UnsafeBufferPointer<UInt8>, lettersFrom from: Int,
        _ flags: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        let both = upper | lower
        var index = from
        while let value = UTF8Scalars.threeByteScalar(text, at: index), flags[value] & both == both {
            index += 3
        }
        guard index > from else { return nil }
        if let next = scalar(text, index, flags), next.flags & both != 0 { return nil }
        return index + contraction(text, index)
    }

    /// The two word alternatives: an optional prefix character, then upper-ish then lower-ish
    /// runs, then an optional contraction. The prefix is tried taken first, as `?` is greedy.
    @_transparent
    private static func word(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int,
        _ first: (value: UInt32, flags: UInt8, length: Int),
        _ flags: UnsafeBufferPointer<UInt8>, lowerRequired: Bool
    ) -> Int? {
        let withPrefix = isPrefix(first)
        for attempt in 0..<2 {
            if attempt == 0, !withPrefix { continue }
            let from = attempt == 0 ? start + first.length : start
            // [U]* (or +): the maximal run, remembering its last lower-ish character.
            var upperEnd = from
            var lastLower = -1
            var lastLowerLength = 0
            while let s = scalar(text, upperEnd, flags), s.flags & upper != 0 {
                if s.flags & lower != 0 { lastLower = upperEnd; lastLowerLength = s.length }
                upperEnd += s.length
            }
            var end: Int
            if lowerRequired {
                // [W]+ right after the run, else backtrack to the run's last lower-ish character.
                if let s = scalar(text, upperEnd, flags), s.flags & lower != 0 {
                    end = upperEnd + s.length
                    while let s = scalar(text, end, flags), s.flags & lower != 0 { end += s.length }
                } else if lastLower >= 0 {
                    end = lastLower + lastLowerLength
                } else {
                    continue
                }
            } else {
                guard upperEnd > from else { continue }
                end = upperEnd
                while let s = scalar(text, end, flags), s.flags & lower != 0 { end += s.length }
            }
            return end + contraction(text, end)
        }
        return nil
    }

    /// The length of `'s|'t|'re|'ve|'m|'ll|'d` (any case, `ſ` for `s`) at `index`, or 0.
    @inline(__always)
    private static func contraction(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        guard index + 1 < text.count, text[index] == UInt8(ascii: "'") else { return 0 }
        let next = text[index + 1] | 0x20  // ASCII lower case
        func followedBy(_ letter: UInt8) -> Bool { index + 2 < text.count && text[index + 2] | 0x20 == letter }
        switch next {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"): return followedBy(UInt8(ascii: "e")) ? 3 : 0
        case UInt8(ascii: "l"): return followedBy(UInt8(ascii: "l")) ? 3 : 0
        default:
            // U+017F LATIN SMALL LETTER LONG S folds to s: C5 BF in UTF-8.
            return text[index + 1] == 0xC5 && index + 2 < text.count && text[index + 2] == 0xBF ? 3 : 0
        }
    }
}
