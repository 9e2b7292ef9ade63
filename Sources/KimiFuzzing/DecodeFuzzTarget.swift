import KimiInspector
import KimiTokenizer

/// Arbitrary ID arrays: decoding succeeds exactly when every ID is in the vocabulary, names the
/// first bad one otherwise, and agrees with token-by-token bytes; the same bytes as text go
/// through the engine ID-list reader and, when they hold IDs, through `compare`.
struct DecodeFuzzTarget {
    let fixtures: FuzzFixtures
    private var tokenizer: KimiTokenizer { fixtures.tokenizer }

    func run(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        let ids = Self.ids(from: bytes, tokenCount: tokenizer.tokenCount)
        try checkDecode(ids)
        if let parsed = try? EngineTokenIDs.parse(bytes) {
            try checkDecode(parsed)
            try checkCompare(parsed.filter { (0..<tokenizer.tokenCount).contains($0) })
        }
    }

    /// Four bytes per ID. The first byte picks how: raw 32-bit values (negative and huge IDs),
    /// or values folded into and just past the vocabulary (mostly valid IDs, special tokens).
    static func ids(from bytes: [UInt8], tokenCount: Int) -> [Int] {
        guard let mode = bytes.first else { return [] }
        var ids: [Int] = []
        var index = 1
        while index + 4 <= bytes.count {
            var raw: UInt32 = 0
            for offset in 0..<4 { raw |= UInt32(bytes[index + offset]) << (8 * offset) }
            ids.append(mode & 1 == 0 ? Int(Int32(bitPattern: raw)) : Int(raw % UInt32(tokenCount + 8)))
            index += 4
        }
        return ids
    }

    private func checkDecode(_ ids: [Int]) throws(FuzzInvariantViolation) {
        let firstBad = ids.firstIndex { !(0..<tokenizer.tokenCount).contains($0) }
        do {
            let bytes = try tokenizer.decodeBytes(ids)
            if let firstBad { throw violation("decoding accepted the bad ID \(ids[firstBad]) at \(firstBad)") }
            let pieces = try tokenizer.tokenBytes(ids)
            guard pieces.count == ids.count, Array(pieces.joined()) == bytes else {
                throw violation("decodeBytes differs from the joined token bytes")
            }
            guard try tokenizer.decode(ids) == String(decoding: bytes, as: UTF8.self) else {
                throw violation("decode differs from the lossy UTF-8 of decodeBytes")
            }
        } catch let error as TokenIDError {
            guard error.position == firstBad, error.id == ids[error.position] else {
                throw violation("decoding rejected position \(error.position) (ID \(error.id)) but the first bad ID is at \(String(describing: firstBad))")
            }
        } catch let error as FuzzInvariantViolation {
            throw error
        } catch {
            throw violation("unexpected error \(error)")
        }
    }

    /// A valid stream compared with itself is equal; with its own re-encoding, the report
    /// rebuilds both sides.
    private func checkCompare(_ ids: [Int]) throws(FuzzInvariantViolation) {
        let same = StreamComparison(reference: ids, engine: ids, tokenizer: tokenizer)
        guard same.equal, same.firstDivergence == nil, same.hunks.isEmpty else {
            throw violation("a stream compared with itself is not equal: \(same.classification)")
        }
        guard let text = try? tokenizer.decode(ids), let reencoded = try? tokenizer.encode(text, mode: .tiktoken) else { return }
        let comparison = StreamComparison(reference: reencoded, engine: ids, tokenizer: tokenizer)
        guard comparison.equal == (reencoded == ids) else {
            throw violation("compare says equal=\(comparison.equal) for streams that are \(reencoded == ids ? "" : "not ")identical")
        }
        if let first = comparison.firstDivergence,
            first > min(ids.count, reencoded.count) || ids.prefix(first) != reencoded.prefix(first)
        {
            throw violation("first divergence \(first) is not where the streams first differ")
        }
    }

    private func violation(_ message: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(.decode, message)
    }
}
