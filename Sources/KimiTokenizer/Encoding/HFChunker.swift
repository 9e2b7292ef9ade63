/// The Hugging Face class's cutting of text before tiktoken sees it (`TikTokenTokenizer.encode`):
/// chunks of 400,000 code points, each cut further so that no run of whitespace or of
/// non-whitespace (by Python's `str.isspace`) is longer than 25,000 code points.
struct HFChunker {
    static let maximumChunkScalars = 400_000
    static let maximumRunScalars = 25_000

    /// Class flags by scalar value (``UnicodeClassTable/kimiFlags``).
    let flags: [UInt8]

    /// Calls `body` with the byte range of each chunk of `utf8` (valid UTF-8), in order.
    /// Empty text has no chunks.
    func forEachChunk(in utf8: UnsafeBufferPointer<UInt8>,
                      _ body: (Range<Int>) throws(PreTokenizerError) -> Void) throws(PreTokenizerError) {
        var chunkStart = 0
        while chunkStart < utf8.count {
            var chunkEnd = chunkStart
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
        var sliceStart = chunk.lowerBound
        var runLength = 0
        var runIsSpace = false
        var position = chunk.lowerBound
        while position < chunk.upperBound {
            let (scalar, length) = UTF8Scalars.decode(utf8, at: position)
            let isSpace = flags[Int(scalar)] & UnicodeClass.pythonSpace.rawValue != 0
            if position == chunk.lowerBound { runIsSpace = isSpace }
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
}
