/// llama.cpp's pre-tokenizer for Kimi K2 (pre-type `kimi-k2`): a hand-written walk that
/// approximates the Kimi pattern rather than running it. What it does differently:
///
/// - **Words are letters only.** The pattern's word classes include the marks `\p{M}` and
///   split upper from lower case; llama.cpp's word is an optional leading character that is
///   not a letter, digit, `\r` or `\n`, then a run of letters (not Han), then an optional
///   contraction (`'s`, `'t`, `'m`, `'d`, `'re`, `'ve`, `'ll`, any case). So a combining mark
///   ends a word (`ได้` is `ได` + `้`), and a case change inside a word does not cut it
///   (`getUserName` stays one piece).
/// - **Han** is a fixed list of CJK ideograph blocks, not the `Han` script.
/// - The rest follows the pattern: up to three digits, an optional space then a run of
///   characters that are neither whitespace, letter nor digit (marks included) with any
///   `\r`/`\n` after it, whitespace ending in a newline, whitespace before a non-space (all
///   but its last character), other whitespace, else one character.
///
/// Letters, digits and whitespace are llama.cpp's own classes (``LlamaCppCharacterClasses``).
struct LlamaCppKimiSplitter: Sendable {
    /// Calls `body` with the byte range of each piece of `utf8`, which must be valid UTF-8.
    func forEachPiece(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        // Code points with their byte offsets; one past the end closes the last.
        var scalars: [Unicode.Scalar] = []
        var offsets: [Int] = []
        var iterator = utf8.makeIterator()
        var decoder = UTF8()
        var offset = 0
        decode: while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                scalars.append(scalar)
                offsets.append(offset)
                offset += UTF8.width(scalar)
            case .emptyInput, .error: break decode
            }
        }
        offsets.append(offset)
        var start = 0
        for end in pieceEnds(scalars) {
            body(offsets[start]..<offsets[end])
            start = end
        }
    }

    /// The end of each piece of `text`, in code points.
    func pieceEnds(_ text: [Unicode.Scalar]) -> [Int] {
        var ends: [Int] = []
        let count = text.count
        func scalar(_ index: Int) -> Unicode.Scalar? { index < count ? text[index] : nil }
        func isLetter(_ index: Int) -> Bool { scalar(index).map { classes($0) & LlamaCppCharacterClasses.letter != 0 } ?? false }
        func isWordLetter(_ index: Int) -> Bool { isLetter(index) && !Self.isHan(text[index]) }
        func isDigit(_ index: Int) -> Bool { scalar(index).map { classes($0) & LlamaCppCharacterClasses.number != 0 } ?? false }
        func isSpace(_ index: Int) -> Bool { scalar(index).map { classes($0) & LlamaCppCharacterClasses.whitespace != 0 } ?? false }
        func isNewline(_ index: Int) -> Bool { scalar(index) == "\r" || scalar(index) == "\n" }
        func lowered(_ index: Int) -> Unicode.Scalar? { scalar(index).map(Self.lowercased) }

        var position = 0
        func cut(_ end: Int) {
            if ends.last.map({ end > $0 }) ?? (end > 0) { ends.append(end) }
            position = end
        }
        while position < count {
            let here = text[position]
            if Self.isHan(here) {
                var end = position
                while let next = scalar(end), Self.isHan(next) { end += 1 }
                cut(end)
                continue
            }
            // A word: an optional leading character, letters, an optional contraction.
            let canLead = !(isNewline(position) || isLetter(position) || isDigit(position))
            if isWordLetter(position) || (canLead && isWordLetter(position + 1)) {
                var end = canLead ? position + 1 : position
                while isWordLetter(end) { end += 1 }
                if scalar(end) == "'", end + 1 < count {
                    let first = lowered(end + 1)
                    if first == "s" || first == "t" || first == "m" || first == "d" {
                        end += 2
                    } else if end + 2 < count {
                        let pair = (first, lowered(end + 2))
                        if pair == ("r", "e") || pair == ("v", "e") || pair == ("l", "l") { end += 3 }
                    }
                }
                cut(end)
                continue
            }
            if isDigit(position) {
                var run = position
                var end = position
                while isDigit(end) {
                    end += 1
                    if end - run >= 3 {
                        cut(end)
                        run = end
                    }
                }
                cut(end)
                continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let symbolStart = here == " " ? position + 1 : position
            func isSymbol(_ index: Int) -> Bool { index < count && !isSpace(index) && !isLetter(index) && !isDigit(index) }
            if isSymbol(symbolStart) {
                var end = symbolStart
                while isSymbol(end) { end += 1 }
                while isNewline(end) { end += 1 }
                cut(end)
                continue
            }
            var spaces = 0
            var afterNewline = 0
            while isSpace(position + spaces) {
                if isNewline(position + spaces) { afterNewline = position + spaces + 1 }
                spaces += 1
            }
            if afterNewline > 0 {
                cut(afterNewline)
            } else if spaces > 1, position + spaces < count {
                cut(position + spaces - 1)
            } else if spaces > 0 {
                cut(position + spaces)
            } else {
                cut(position + 1)
            }
        }
        return ends
    }

    private func classes(_ scalar: Unicode.Scalar) -> UInt32 { LlamaCppCharacterClasses.classes(of: scalar) }

    /// llama.cpp's Han: the CJK Unified Ideographs, extensions A to F, and the compatibility
    /// ideographs with their supplement.
    static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B820...0x2CEAF,
            0x2CEB0...0x2EBEF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }

    /// The simple lowercase mapping, for the contraction letters.
    static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first else { return scalar }
        return first
    }
}
