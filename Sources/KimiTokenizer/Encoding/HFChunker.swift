import KimiUnicode

/// The Hugging Face class's cutting of text before tiktoken sees it (`TikTokenTokenizer.encode`):
/// chunks of 400,000 code points, each cut further so that no run of whitespace or of
/// non-whitespace (by Python's `str.isspace`) is longer than 25,000 code points.
struct HFChunker {
    static let maximumChunkScalars = 400_000
    static let maximumRunScalars = 25_000

    /// Class flags by scalar value (``UnicodeClassTable/kimiFlags``).
    let flags: [UInt8]
    /// Whether Python's spaces are where ``wordScan(_:nextTwoBytes:)`` assumes: among ASCII, `\t`
    /// to `\r` and 0x1C to 0x20; beyond it, only scalars whose UTF-8 starts with C2, E1 or E2, or is
    /// E3 80 80 (U+3000). If not, every scalar is looked up.
    private let spacesAreKnown: Bool

    /// A chunker over `flags`, whose spaces are the scalars in `spaces`.
    init(flags: [UInt8], spaces: [ClosedRange<UInt32>]) {
        self.flags = flags
        let scalars = spaces.flatMap { $0 }
        let asciiAgrees = Set(scalars.filter { $0 < 0x80 }) == Set<UInt32>(0x09...0x0D).union(0x1C...0x20)
        let otherSpacesAreKnown = scalars.filter { $0 >= 0x80 }.allSatisfy { value in
            guard let scalar = Unicode.Scalar(value) else { return false }
            let utf8 = Array(String(Character(scalar)).utf8)
            return [0xC2, 0xE1, 0xE2].contains(utf8[0]) || utf8 == [0xE3, 0x80, 0x80]
        }
        spacesAreKnown =
            asciiAgrees && otherSpacesAreKnown
            && scalars.allSatisfy { $0 < flags.count && flags[Int($0)] & UnicodeClass.pythonSpace.rawValue != 0 }
    }

    /// Calls `body` with the byte range of each chunk of `utf8` (valid UTF-8), in order.
    /// Empty text has no chunks.
    func forEachChunk<Failure: Error>(
        in utf8: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>) throws(Failure) -> Void
    ) throws(Failure) {
        var chunkStart = 0
        while chunkStart < utf8.count {
            // A rest no longer in bytes than the chunk limit is not longer in scalars either.
            var chunkEnd = utf8.count - chunkStart <= Self.maximumChunkScalars ? utf8.count : chunkStart
            var scalars = 0
            if let base = utf8.baseAddress {
                // Eight bytes at once: a byte that is not a continuation byte starts a scalar.
                while chunkEnd + 8 <= utf8.count, scalars + 8 <= Self.maximumChunkScalars {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + chunkEnd).loadUnaligned(as: UInt64.self))
                    scalars += ByteLanes.count(Self.scalarStarts(word))
                    chunkEnd += 8
                }
                // Finish the scalar the last word ended inside of.
                while chunkEnd < utf8.count, chunkEnd > chunkStart, utf8[chunkEnd] & 0xC0 == 0x80 { chunkEnd += 1 }
            }
            while chunkEnd < utf8.count, scalars < Self.maximumChunkScalars {
                chunkEnd += UTF8Scalars.length(leadingByte: utf8[chunkEnd])
                scalars += 1
            }
            try splitRuns(utf8, chunkStart..<chunkEnd, body)
            chunkStart = chunkEnd
        }
    }

    /// `_split_whitespaces_or_nonwhitespaces` of `tokenization_kimi.py`, on one chunk.
    private func splitRuns<Failure: Error>(
        _ utf8: UnsafeBufferPointer<UInt8>, _ chunk: Range<Int>,
        _ body: (Range<Int>) throws(Failure) -> Void
    ) throws(Failure) {
        guard let base = utf8.baseAddress, !chunk.isEmpty else { return }
        if spacesAreKnown, Self.hasOnlyShortRuns(UnsafeRawPointer(base), chunk) {
            try body(chunk)
            return
        }
        var sliceStart = chunk.lowerBound
        var position = chunk.lowerBound
        // The first scalar starts the first run.
        var runIsSpace = isSpace(utf8, at: position).isSpace
        var runLength = 0
        while position < chunk.upperBound {
            // Eight bytes at once, while no run can reach the limit inside them.
            if spacesAreKnown, position + 8 <= chunk.upperBound, runLength <= Self.maximumRunScalars - 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let after = position + 10 <= chunk.upperBound ? UnsafeRawPointer(base + position + 8) : nil
                let scan = Self.wordScan(word, nextTwoBytes: after)
                if scan.bytes > 0 {
                    if scan.starts != 0 {
                        let lastIsSpace = scan.starts.leadingZeroBitCount == scan.spaces.leadingZeroBitCount
                        // Scalars whose class differs from the last one's.
                        let other = lastIsSpace ? scan.starts & ~scan.spaces : scan.spaces
                        if other == 0 {
                            runLength = (lastIsSpace == runIsSpace ? runLength : 0) + ByteLanes.count(scan.starts)
                        } else {
                            let above = ~UInt64(0) << UInt64(64 - other.leadingZeroBitCount)
                            runLength = ByteLanes.count(scan.starts & above)
                        }
                        runIsSpace = lastIsSpace
                    }
                    position += scan.bytes
                    continue
                }
            }
            // The rest of a scalar a word ended inside of was counted with its first byte.
            if utf8[position] & 0xC0 == 0x80 {
                position += 1
                continue
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

    /// Whether no run of spaces or non-spaces in `chunk` can be longer than the limit. A run of
    /// non-spaces holds no ASCII space byte, and a run of spaces no byte that only a non-space
    /// can contain (ASCII that is not a space, a lead byte other than C2, E1, E2 and E3). So when
    /// bytes of each kind recur at most ``maximumRunScalars`` scalars apart, and that near the
    /// chunk's ends, no run is longer, and the chunk is not cut. Natural text passes after
    /// reading a few bytes per 25,000; a run that might be too long sends the chunk through the
    /// exact loop. Valid only while ``spacesAreKnown``.
    @inline(__always)
    static func hasOnlyShortRuns(_ base: UnsafeRawPointer, _ chunk: Range<Int>) -> Bool {
        if chunk.count <= maximumRunScalars { return true }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        return marksRecur(bytes, chunk, isMark: isASCIISpace) && marksRecur(bytes, chunk, isMark: isOnlyInNonSpace)
    }

    /// Whether no stretch of `chunk` between two marked bytes (or a mark and an end) holds more
    /// than ``maximumRunScalars`` scalars. From each mark, the next is the last one within that
    /// many bytes, searched from the far end, so where marks are frequent only a few bytes per
    /// window are read; a window with no mark is read again from the front, counting scalars.
    /// No byte is read more than twice.
    @inline(__always)
    private static func marksRecur(
        _ bytes: UnsafePointer<UInt8>, _ chunk: Range<Int>,
        isMark: (UInt8) -> Bool
    ) -> Bool {
        var mark = chunk.lowerBound - 1  // a mark just before the chunk
        while chunk.upperBound - mark - 1 > maximumRunScalars {
            var probe = mark + maximumRunScalars + 1
            while probe > mark, !isMark(bytes[probe]) { probe -= 1 }
            if probe == mark {
                // More bytes than the limit, but perhaps not more scalars.
                var scalars = 0
                probe = mark + 1
                while probe < chunk.upperBound, !isMark(bytes[probe]) {
                    if bytes[probe] & 0xC0 != 0x80 {
                        scalars += 1
                        if scalars > maximumRunScalars { return false }
                    }
                    probe += 1
                }
            }
            mark = probe
        }
        return true
    }

    /// Whether `byte` is ASCII whitespace to Python: `\t` to `\r` and 0x1C to 0x20.
    @inline(__always)
    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte &- 0x09 <= 0x0D - 0x09 || byte &- 0x1C <= 0x20 - 0x1C
    }

    /// Whether `byte` occurs in no UTF-8 encoding of a space (``spacesAreKnown``): ASCII that is
    /// not a space, or a lead byte other than C2, E1, E2 and E3.
    @inline(__always)
    private static func isOnlyInNonSpace(_ byte: UInt8) -> Bool {
        byte < 0x80 ? !isASCIISpace(byte) : byte &- 0xC3 <= 0xDF - 0xC3 || byte >= 0xE4
    }

    /// Whether the scalar at `position` is a space to Python, and its length in bytes.
    @inline(__always)
    private func isSpace(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int) -> (isSpace: Bool, length: Int) {
        let (scalar, length) = UTF8Scalars.decode(utf8, at: position)
        return (flags[Int(scalar)] & UnicodeClass.pythonSpace.rawValue != 0, length)
    }

    /// The scalars that start in the first `bytes` lanes of `word` (the high bit of each lane
    /// holding a first byte) and which of them are spaces; `nextTwoBytes` points at the two bytes
    /// after the word, `nil` where the chunk ends first (then an E3 in the word's last lanes counts
    /// as U+3000). `bytes` stops before the first lane that may start a space that is not ASCII, which
    /// is then looked at on its own; it is 8 when there is none. Valid only while
    /// ``spacesAreKnown``.
    @inline(__always)
    static func wordScan(_ word: UInt64, nextTwoBytes: UnsafeRawPointer?) -> (starts: UInt64, spaces: UInt64, bytes: Int) {
        if word & ByteLanes.high == 0 { return (ByteLanes.high, asciiSpaceLanes(word), 8) }
        let next = nextTwoBytes.map { UInt64(UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self))) } ?? 0x8080
        // E3 80 80 is checked whole: E3 also leads kana and CJK punctuation. Lane i of the
        // shifted words is byte i + 1 and i + 2, running on into `next`.
        let ideographicSpace =
            lanes(of: word, equalTo: 0xE3) & lanes(of: word >> 8 | next << 56, equalTo: 0x80)
            & lanes(of: word >> 16 | next << 48, equalTo: 0x80)
        // Its lowest mark is at or before the first lane that starts such a space.
        let mayStartSpace =
            lanes(of: word, equalTo: 0xC2) | lanes(of: word, equalTo: 0xE1)
            | lanes(of: word, equalTo: 0xE2) | ideographicSpace
        let bytes = mayStartSpace == 0 ? 8 : mayStartSpace.trailingZeroBitCount / 8
        let kept = bytes == 8 ? ~UInt64(0) : (1 << UInt64(8 * bytes)) &- 1
        let spaces = asciiSpaceLanes(word & ~ByteLanes.high) & ~word & ByteLanes.high
        return (scalarStarts(word) & kept, spaces & kept, bytes)
    }

    /// The high bit of each lane of `word` that is `byte` (and perhaps of some lanes after the
    /// first such lane: never fewer lanes than are).
    @inline(__always)
    private static func lanes(of word: UInt64, equalTo byte: UInt64) -> UInt64 {
        ByteLanes.zeroLanes(word ^ byte &* ByteLanes.low)
    }

    /// The high bit of each lane of `word` that is not a UTF-8 continuation byte (10xxxxxx).
    @inline(__always)
    private static func scalarStarts(_ word: UInt64) -> UInt64 {
        ~(word & ~(word << 1)) & ByteLanes.high
    }

    /// The high bit of each byte lane of `word` (all lanes below 0x80) that is `\t` to `\r` or
    /// 0x1C to 0x20.
    @inline(__always)
    private static func asciiSpaceLanes(_ word: UInt64) -> UInt64 {
        ByteLanes.lanes(of: word, in: 0x09...0x0D) | ByteLanes.lanes(of: word, in: 0x1C...0x20)
    }
}
