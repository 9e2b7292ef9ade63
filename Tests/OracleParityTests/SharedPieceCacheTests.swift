@_spi(Testing) import KimiTokenizer
import TestSupport
import Testing

/// The piece caches shared across calls and threads never change an ID: many threads encoding
/// texts whose words and Han runs recur (so that one thread reads what another wrote), through
/// the normal tables and through tables of 64 slots (so that pieces replace one another and writers meet on
/// the same slot all the time), give exactly each piece merged alone by the heap merge, which
/// no cache touches.
@Suite("Shared piece cache", .needsVocabulary)
struct SharedPieceCacheTests {
    let tokenizer: KimiTokenizer

    init() throws {
        tokenizer = try Reference.tokenizer.get()
    }

    /// Texts of words drawn from a small pool of Latin, Cyrillic, Greek, Arabic and Han words
    /// (most of them more than one token; Han ones often joined into longer runs), so that every
    /// word recurs in many texts.
    static func texts(count: Int, seed: UInt64) -> [String] {
        var random = RandomText(seed: seed)
        let alphabets: [[Unicode.Scalar]] = [
            Array("abcdefghijklmnopqrstuvwxyzQXZ".unicodeScalars), Array("абвгдежзийклмнопрстуфхцчшщыэюя".unicodeScalars),
            Array("αβγδεζηθικλμνξοπρστυφχψω".unicodeScalars), Array("ابتثجحخدذرزسشصضطظعغفقكلمنهوي".unicodeScalars),
            Array("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年".unicodeScalars),
        ]
        let pool: [String] = (0..<600).map { _ in
            let alphabet = random.pick(alphabets)
            var word = random.below(3) == 0 ? "" : " "
            // Han words up to 20 characters, so that whole runs go to both shared tables (of
            // up to 24 bytes and of 25 to 56) and past them.
            let length = alphabet.count == alphabets[4].count ? 2 + random.below(19) : 2 + random.below(9)
            for _ in 0..<length { word.unicodeScalars.append(random.pick(alphabet)) }
            return word
        }
        return (0..<count).map { _ in (0..<(20 + random.below(60))).map { _ in random.pick(pool) }.joined() }
    }

    /// Each pre-token merged alone by the heap merge.
    func expectedIDs(_ text: String) throws -> [Int] {
        try tokenizer.preTokens(of: text).flatMap { piece in try #require(tokenizer.merge(Array(piece.utf8), by: .heap)) }
    }

    @Test(arguments: [nil, 64])
    func threadsSharingTheCacheGiveTheMergedIDs(slots: Int?) throws {
        let shared = slots.map { tokenizer.withSharedPieceCache(slots: $0) } ?? tokenizer.withSharedPieceCache(slots: 1 << 17)
        let texts = Self.texts(count: 1500, seed: 0x5348_4152 &+ UInt64(slots ?? 0))
        let expected = try texts.map(expectedIDs)
        // Three rounds: the first fills the table, the later ones read it while still writing.
        for round in 0..<3 {
            let encoded = try BatchEncoder.parallelMap(count: texts.count, threads: 8, itemsPerBlock: 3) { index in
                try shared.encode(texts[index], mode: .ordinary)
            }
            let wrong = zip(encoded, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            let differing = wrong.count
            #expect(
                differing == 0,
                "round \(round), \(slots.map { "\($0) slots" } ?? "the default table"): \(differing) of \(texts.count) texts differ, first \(wrong.prefix(5))")
        }
    }
}
