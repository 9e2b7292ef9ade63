@_spi(Testing) import KimiTokenizer
import TestSupport
import Testing

/// `hf` mode's chunking (the Hugging Face class's 25,000-character runs) against a plain
/// scalar-by-scalar transcription of `_split_whitespaces_or_nonwhitespaces`, on long texts
/// whose runs cross the limit in every script width; the chunker reads eight bytes at a time.
@Suite("hf chunking", .needsVocabulary)
struct HFChunkerTests {
    /// Python's `str.isspace` (Unicode 15), spelled out independently of the class tables.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The byte ranges of the Python loop, for a text shorter than 400,000 scalars.
    static func referenceChunks(_ text: String) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var sliceStart = 0, offset = 0, runLength = 0
        var runIsSpace = text.unicodeScalars.first.map(isPythonSpace) ?? false
        for scalar in text.unicodeScalars {
            let isSpace = isPythonSpace(scalar)
            if isSpace != runIsSpace {
                runLength = 1
                runIsSpace = isSpace
            } else {
                runLength += 1
                if runLength > 25_000 {
                    chunks.append(sliceStart..<offset)
                    sliceStart = offset
                    runLength = 1
                }
            }
            offset += scalar.utf8.count
        }
        chunks.append(sliceStart..<offset)
        return chunks.filter { !$0.isEmpty || chunks.count == 1 }
    }

    static let units: [String] = [
        "a", " ", "中", "ж", "😀", "か", "、", "。", "\u{3000}", "\u{A0}", "\u{85}", "\u{2003}", "\u{2028}",
        "\u{1680}", "\u{1F}", "\t", "é", "—", "\u{E3}", "\u{3001}", "\u{200B}", "Ǆ", "ー",
    ]

    @Test("runs of every width crossing the limit", arguments: 0..<8)
    func runsCrossTheLimit(seed: Int) throws {
        let tokenizer = try Reference.tokenizer.get()
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func below(_ bound: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(bound))
        }
        for _ in 0..<12 {
            var text = String(repeating: "x", count: below(9))
            while text.unicodeScalars.count < 120_000 {
                let unit = Self.units[below(Self.units.count)]
                let length = below(4) == 0 ? 24_990 + below(20) : 1 + below(below(2) == 0 ? 40 : 30_000)
                if below(3) == 0 {
                    // Two units of one class alternating, so a run mixes byte widths.
                    let partner = Self.units[below(Self.units.count)]
                    let same = Self.isPythonSpace(unit.unicodeScalars.first!) == Self.isPythonSpace(partner.unicodeScalars.first!)
                    text += String(repeating: unit + (same ? partner : unit), count: length / 2)
                } else {
                    text += String(repeating: unit, count: length)
                }
            }
            let chunks = tokenizer.hfChunks(of: Array(text.utf8))
            #expect(chunks == Self.referenceChunks(text))
        }
    }

    @Test("short texts at every alignment")
    func shortTexts() throws {
        let tokenizer = try Reference.tokenizer.get()
        for unit in Self.units {
            for prefix in ["", "a", "ab", "abc", "中", "ж ", "😀x", "\u{3000}"] {
                let text = prefix + String(repeating: unit, count: 17) + "z"
                #expect(tokenizer.hfChunks(of: Array(text.utf8)) == [0..<text.utf8.count])
            }
        }
    }

    /// Runs just under and over the limit that mix a unit with ASCII of the same class, so that
    /// the bytes the chunker's bound looks for (ASCII spaces in whitespace, ASCII non-spaces in
    /// other text) recur all through them: only the unit's own bytes may say the run is short,
    /// and they must not.
    @Test("runs at the limit mixed with ASCII of their class")
    func mixedRunsAtTheLimit() throws {
        let tokenizer = try Reference.tokenizer.get()
        for unit in Self.units {
            let isSpace = Self.isPythonSpace(unit.unicodeScalars.first!)
            let partners = isSpace ? [" ", "\t", "\n", "\u{1F}"] : ["x", "!", "~", "\u{7F}", "0"]
            for partner in partners {
                for length in [24_999, 25_000, 25_001, 25_002] {
                    let run = String(repeating: unit + partner, count: length / 2) + (length % 2 == 1 ? unit : "")
                    let edge = isSpace ? "ab" : " \n"
                    let text = edge + run + edge + String(repeating: partner + unit, count: length / 2) + edge
                    #expect(
                        tokenizer.hfChunks(of: Array(text.utf8)) == Self.referenceChunks(text),
                        "\(unit.debugDescription) with \(partner.debugDescription), \(length)")
                }
            }
        }
    }
}
