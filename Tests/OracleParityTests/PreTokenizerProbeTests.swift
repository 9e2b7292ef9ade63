import KimiTokenizer
import Testing

/// The PCRE2 translation of the Kimi pattern against tiktoken's own regex engine (Rust regex,
/// Unicode 16.0), piece by piece, for code points across the whole Unicode range.
@Suite("Pre-tokenizer parity with tiktoken's regex")
struct PreTokenizerProbeTests {
    /// Contexts that expose every class of the pattern: each `_` is replaced by the code point.
    static let templates = [
        "a_", "A_", "_a", "_A", "1_", "_1", "____", " _", "_ ", "_ x", " _x", "!_", "_!", "\n_", "_\n",
        "中_", "_中", "a'_", "_'s", "A_a", "_\r\n",
    ]

    static let sweptScalars: [Unicode.Scalar] = {
        var values = Array(UInt32(0)...0x3_FFFF) + Array(UInt32(0xE_0000)...0xE_0FFF)
        values += stride(from: UInt32(0x4_0000), to: 0x11_0000, by: 97).map { $0 }
        return values.compactMap(Unicode.Scalar.init)
    }()

    @Test("pieces equal tiktoken's for every code point of planes 0-3 and 14, sampled elsewhere")
    func sweep() throws {
        let preTokenizer = try PreTokenizer.kimi()
        #expect(preTokenizer.isJITCompiled)
        var probes: [String] = []
        for scalar in Self.sweptScalars {
            for template in Self.templates {
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
                    Issue.record("probe \(probe.unicodeScalars.map { String($0.value, radix: 16) }): kimi-tok \(actual.map(\.debugDescription)), tiktoken \(pieces.map(\.debugDescription))")
                }
            }
        }
        print("pre-tokenizer parity: \(identical)/\(probes.count) probes identical (\(Self.sweptScalars.count) code points × \(Self.templates.count) contexts)")
        #expect(identical == probes.count)
    }
}
