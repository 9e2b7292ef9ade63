@_spi(Testing) import KimiTokenizer

/// Arbitrary bytes: the three byte-pair merges agree on them as one piece, and the parts the
/// encoder cuts them into merge to the same IDs as the whole; invalid UTF-8 is
/// rejected at the right offset; valid text splits the same with the scanner and PCRE2, and
/// every mode decodes back to the input.
struct EncodeFuzzTarget {
    let fixtures: FuzzFixtures
    private var tokenizer: KimiTokenizer { fixtures.tokenizer }

    func run(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        try checkMerges(bytes)
        try checkCuts(bytes)
        let text: String
        do {
            text = try UTF8Input.decode(bytes)
        } catch {
            try checkRejection(error, of: bytes)
            return
        }
        try checkPieces(bytes)
        var idsByMode: [EncodeMode: [Int]] = [:]
        for mode in EncodeMode.allCases {
            let ids: [Int]
            do {
                ids = try tokenizer.encode(text, mode: mode)
            } catch {
                throw violation("encode(\(mode)) failed: \(error)")
            }
            let decoded: [UInt8]
            do {
                decoded = try tokenizer.decodeBytes(ids)
            } catch {
                throw violation("encode(\(mode)) produced an ID outside the vocabulary: \(error)")
            }
            guard decoded == bytes else {
                throw violation("decode(encode(\(mode))) differs from the input \(bytes)")
            }
            if mode == .ordinary, let special = ids.first(where: tokenizer.isSpecial) {
                throw violation("ordinary mode produced the special token \(special)")
            }
            idsByMode[mode] = ids
        }
        // HF chunking only changes anything once a run reaches 25,000 characters.
        if text.unicodeScalars.count < 25_000, idsByMode[.hf] != idsByMode[.tiktoken] {
            throw violation("hf and tiktoken modes disagree on a short input")
        }
    }

    /// Backtracking and the heap (and the scan, on short inputs) merge the bytes identically.
    private func checkMerges(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        let heap = tokenizer.merge(bytes, by: .heap)
        let backtracking = tokenizer.merge(bytes, by: .backtracking)
        guard backtracking == heap else {
            throw violation("backtracking merge \(backtracking ?? []) differs from the heap merge \(heap ?? [])")
        }
        if bytes.count <= 256, tokenizer.merge(bytes, by: .scan) != heap {
            throw violation("scan merge differs from the heap merge \(heap ?? [])")
        }
    }

    /// The parts between the encoder's cuts merge, one by one, to the heap merge of the whole.
    private func checkCuts(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        guard let cuts = tokenizer.cutPositions(in: bytes), !cuts.isEmpty else { return }
        let bounds = [0] + cuts + [bytes.count]
        let parts = zip(bounds, bounds.dropFirst()).map { tokenizer.merge(Array(bytes[$0..<$1]), by: .heap) }
        let whole = tokenizer.merge(bytes, by: .heap)
        guard parts.allSatisfy({ $0 != nil }), parts.flatMap({ $0 ?? [] }) == whole else {
            throw violation("cut at \(cuts), the parts merge to \(parts.flatMap { $0 ?? [] }), the whole to \(whole ?? [])")
        }
    }

    private func checkRejection(_ error: InvalidUTF8Error, of bytes: [UInt8]) throws(FuzzInvariantViolation) {
        guard error.byteOffset < bytes.count, bytes[error.byteOffset] == error.byte else {
            throw violation("invalid UTF-8 reported at offset \(error.byteOffset), byte \(error.byte), in \(bytes.count) bytes")
        }
        // Everything before the reported offset must be valid on its own, up to a sequence
        // that the bad byte cut short.
        let prefix = Array(bytes[..<error.byteOffset])
        if let earlier = UTF8Input.firstInvalidOffset(prefix), earlier < max(0, error.byteOffset - 3) {
            throw violation("invalid UTF-8 reported at \(error.byteOffset) but the input is already invalid at \(earlier)")
        }
    }

    private func checkPieces(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        let scanned: [Range<Int>]
        let matched: [Range<Int>]
        do {
            scanned = try pieces(of: bytes, with: fixtures.scanner)
            matched = try pieces(of: bytes, with: fixtures.pcre2)
        } catch {
            throw violation("pre-tokenizer failed: \(error)")
        }
        guard scanned == matched else {
            let first = (0..<min(scanned.count, matched.count)).first { scanned[$0] != matched[$0] } ?? min(scanned.count, matched.count)
            throw violation(
                "scanner and PCRE2 split differently from piece \(first): scanner \(scanned.dropFirst(first).prefix(3)), PCRE2 \(matched.dropFirst(first).prefix(3))"
            )
        }
        var end = 0
        for piece in scanned {
            guard piece.lowerBound == end, !piece.isEmpty else {
                throw violation("pieces do not tile the input at byte \(end): \(piece)")
            }
            end = piece.upperBound
        }
        guard end == bytes.count else { throw violation("pieces end at \(end) of \(bytes.count) bytes") }
    }

    private func pieces(of bytes: [UInt8], with preTokenizer: PreTokenizer) throws(PreTokenizerError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(PreTokenizerError) in
            try preTokenizer.forEachPiece(in: buffer) { ranges.append($0) }
        }
        return ranges
    }

    private func violation(_ message: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(.encode, message)
    }
}
