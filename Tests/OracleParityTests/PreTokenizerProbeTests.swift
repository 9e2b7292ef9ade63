import KimiTokenizer
import TestSupport
import Testing

/// The PCRE2 translation of the Kimi pattern against tiktoken's own regex engine (Rust regex,
/// Unicode 16.0), piece by piece, for code points across the whole Unicode range.
enum PreTokenizerProbeTests {
    /// Contexts that expose every class of the pattern: each `_` is replaced by the code point.
    /// " a_" and "aB_" put it after the ASCII letters of a word with and without a prefix,
    /// where the scanner's ASCII path must hand over to the general one.
    static let templates = [
        "a_", "A_", "_a", "_A", "1_", "_1", "____", " _", "_ ", "_ x", " _x", "!_", "_!", "\n_", "_\n",
        "中_", "_中", "a'_", "_'s", "A_a", "_\r\n", " a_", "aB_",
    ]

    static let sweptScalars: [Unicode.Scalar] = {
        var values = Array(UInt32(0)...0x3_FFFF) + Array(UInt32(0xE_0000)...0xE_0FFF)
        values += stride(from: UInt32(0x4_0000), to: 0x11_0000, by: 97).map { $0 }
        return values.compactMap(Unicode.Scalar.init)
    }()

}

/// The hand-written scanner against the PCRE2 path, piece for piece, on real and random text.
enum ScannerAgainstPCRE2Tests {
}

extension LiveTokenizerParity {
    @Test(
        "pieces equal tiktoken's for every code point of planes 0-3 and 14, sampled elsewhere",
        arguments: PreTokenizer.Engine.allCases)
    func sweep(engine: PreTokenizer.Engine) throws {
        let preTokenizer = try PreTokenizer.kimi(engine: engine)
        #expect(preTokenizer.isJITCompiled == (engine == .pcre2))
        var probes: [String] = []
        for scalar in PreTokenizerProbeTests.sweptScalars {
            for template in PreTokenizerProbeTests.templates {
                probes.append(template.replacingOccurrences(of: "_", with: String(scalar)))
            }
        }
        var identical = 0
        var reported = 0
        for start in stride(from: 0, to: probes.count, by: 50_000) {
            let batch = Array(probes[start..<min(start + 50_000, probes.count)])
            let expected = try Reference.pieces(batch)
            for (probe, pieces) in zip(batch, expected) {
                let actual = try preTokenizer.pieces(of: probe)
                if actual == pieces {
                    identical += 1
                } else if reported < 10 {
                    reported += 1
                    Issue.record(
                        "probe \(probe.unicodeScalars.map { String($0.value, radix: 16) }): kimi-tok \(actual.map(\.debugDescription)), tiktoken \(pieces.map(\.debugDescription))"
                    )
                }
            }
        }
        print(
            "pre-tokenizer parity [\(engine.rawValue)]: \(identical)/\(probes.count) probes identical (\(PreTokenizerProbeTests.sweptScalars.count) code points × \(PreTokenizerProbeTests.templates.count) contexts)"
        )
        #expect(identical == probes.count)
    }
}

extension LiveTokenizerParity {
    @Test("identical pieces on every corpus file, the edge cases and 20,000 random strings")
    func identicalPieces() throws {
        let scanner = try PreTokenizer.kimi(engine: .scanner)
        let pcre2 = try PreTokenizer.kimi(engine: .pcre2)
        var random = RandomText(seed: 0x5CA7)
        var texts = try EncodeParityTests.corpusFiles().map(\.text) + EncodeParityTests.edgeCases
        texts += (0..<20_000).map { _ in random.string(maximumAtoms: 30) }
        texts += [String(repeating: "\u{301}", count: 5_000) + "a", "\u{301}A'S\u{301}b", String(repeating: " \n", count: 3_000) + "x"]
        var identical = 0
        for text in texts {
            let expected = try pcre2.pieces(of: text)
            let actual = try scanner.pieces(of: text)
            if actual == expected {
                identical += 1
            } else {
                let first = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
                Issue.record(
                    "piece \(first): scanner \(actual.dropFirst(first).prefix(3).map(\.debugDescription)), pcre2 \(expected.dropFirst(first).prefix(3).map(\.debugDescription))"
                )
            }
        }
        print("scanner vs pcre2: \(identical)/\(texts.count) texts split identically")
        #expect(identical == texts.count)
    }
}
