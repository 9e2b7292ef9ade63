/// The Hugging Face class's cutting of text before tiktoken sees it (`TikTokenTokenizer.encode`):
/// chunks of 400,000 code points, each cut further so that no run of whitespace or of
/// non-whitespace (by Python's `str.isspace`) is longer than 25,000 code points.
struct HFChunker {
    static let maximumChunkScalars = 400_000
    static let maximumRunScalars = 25_000

    /// Class flags by scalar value (``UnicodeClassTable/kimiFlags``).
    let flags: [UInt8]
    /// Whether the flags' spaces among ASCII are Python's (`\t` to `\r`, 0x1C to 0x20), the set
    /// ``spaceLanes(_:)`` tests eight bytes at a time; if not, every byte is looked up.
    private let asciiSpacesArePython: Bool

    init(flags: [UInt8]) {
        self.flags = flags
        let python = Set<Int>(0x09...0x0D).union(0x1C...0x20)
        asciiSpacesArePython = (0..<0x80).allSatisfy { byte in
            byte < flags.count && (flags[byte] & UnicodeClass.pythonSpace.rawValue != 0) == python.contains(byte)
        }
    }

    /// Calls `body` with the byte range of each chunk of `utf8` (valid UTF-8), in order.
    /// Empty text has no chunks.
    func forEachChunk(in utf8: UnsafeBufferPointer<UInt8>,
                      _ body: (Range<Int>) throws(PreTokenizerError) -> Void) throws(PreTokenizerError) {
        var chunkStart = 0
        while chunkStart < utf8.count {
            // A rest no longer in bytes than the chunk limit is not longer in scalars either.
            var chunkEnd = utf8.count - chunkStart <= Self.maximumChunkScalars ? utf8.count : chunkStart
            var scalars = 0
            while chunkEnd < utf8.count, scalars < Self.maximumChunkScalars {
                chunkEnd += UTF8Scalars.length(leadingByte: utf8[chunkEnd])
                scalars += 1
            }
            try splitRuns(utf8, chunkStart..<chunkEnd, body)
            chunkStart = chunkEnd
        }
    }

    /// `_split_whitespaces_or_nonwhitespaces` of `tokenization_kimi.py`, on one chunk.
    private func splitRuns(_ utf8: UnsafeBufferPointer<UInt8>, _ chunk: Range<Int>,
                           _ body: (Range<Int>) throws(PreTokenizerError) -> Void) throws(PreTokenizerError) {
        guard let base = utf8.baseAddress, !chunk.isEmpty else { return }
        var sliceStart = chunk.lowerBound
        var position = chunk.lowerBound
        // The first scalar starts the first run.
        var runIsSpace = isSpace(utf8, at: position).isSpace
        var runLength = 0
        while position < chunk.upperBound {
            // Eight ASCII bytes at once, while no run can reach the limit inside them.
            if asciiSpacesArePython, position + 8 <= chunk.upperBound, runLength <= Self.maximumRunScalars - 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                if word & Self.highBits == 0 {
                    let spaces = Self.spaceLanes(word)
                    let lastIsSpace = spaces >> 63 != 0
                    // Lanes (high bit each) whose class differs from the last lane's.
                    let other = (lastIsSpace ? ~spaces : spaces) & Self.highBits
                    if other == 0 {
                        runLength = lastIsSpace == runIsSpace ? runLength + 8 : 8
                    } else {
                        runLength = (other.leadingZeroBitCount + 1) / 8
                    }
                    runIsSpace = lastIsSpace
                    position += 8
                    continue
                }
            }
            let (isSpace, length) = isSpace(utf8, at: position)
            if runIsSpace != isSpace {
                runLength = 1
                runIsSpace = isSpace
            } else {
                runLength += 1
                if runLength > Self.maximumRunScalars {
                    try body(sliceStart..<position)
                    sliceStart = position
                    runLength = 1
                }
            }
            position += length
        }
        try body(sliceStart..<chunk.upperBound)
    }

    /// Whether the scalar at `position` is a space to Python, and its length in bytes.
    @inline(__always)
    private func isSpace(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int) -> (isSpace: Bool, length: Int) {
        let (scalar, length) = UTF8Scalars.decode(utf8, at: position)
        return (flags[Int(scalar)] & UnicodeClass.pythonSpace.rawValue != 0, length)
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x0101_0101_0101_0101

    /// The high bit of each byte lane of `word` (all ASCII) that is `\t` to `\r` or 0x1C to
    /// 0x20. Lane `b >= c` is the high bit of `(b | 0x80) - c`, lane `b <= c` that of
    /// `(0x80 + c) - b`; neither borrows across lanes for ASCII bytes.
    @inline(__always)
    private static func spaceLanes(_ word: UInt64) -> UInt64 {
        @inline(__always) func atLeast(_ bound: UInt64) -> UInt64 { (word | highBits) &- lowBits &* bound }
        @inline(__always) func atMost(_ bound: UInt64) -> UInt64 { lowBits &* (0x80 + bound) &- word }
        return ((atLeast(0x09) & atMost(0x0D)) | (atLeast(0x1C) & atMost(0x20))) & highBits
    }
}
