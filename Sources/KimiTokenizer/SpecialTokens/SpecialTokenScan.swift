#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The special-token names in one text, left to right and without overlaps, as tiktoken's
/// `encode` cuts them out with every special token allowed.
///
/// Names are rare in text, so the scan keeps, for each byte a name can start with, where that
/// byte next occurs, found with `memchr`, and only looks at those places. Each byte of the text
/// is searched for each first byte at most once, however many names the text holds.
struct SpecialTokenScan {
    /// The most distinct first bytes searched for with `memchr`; with more, every byte is looked at.
    static let searchedBytes = 4

    private let tokens: SpecialTokens
    private let text: UnsafeBufferPointer<UInt8>
    /// Where the next name may start.
    private var position = 0
    /// For each of ``SpecialTokens/firstBytes``, its first occurrence at or after the position it
    /// was last searched from (`text.count` for none); unused lanes hold `Int.max`.
    private var upcoming = SIMD4<Int>(repeating: .max)

    init(tokens: SpecialTokens, text: UnsafeBufferPointer<UInt8>) {
        self.tokens = tokens
        self.text = text
        for lane in tokens.firstBytes?.indices ?? 0..<0 { upcoming[lane] = -1 }
    }

    /// The next name: its byte range and id, or `nil` when there are no more.
    mutating func next() -> (range: Range<Int>, id: Int)? {
        while let candidate = nextCandidate() {
            if let match = tokens.match(in: text, at: candidate) {
                position = match.range.upperBound
                return match
            }
            position = candidate + 1
        }
        position = text.count
        return nil
    }

    /// The first position from `position` whose byte can start a name.
    private mutating func nextCandidate() -> Int? {
        guard let firstBytes = tokens.firstBytes, let base = text.baseAddress else {
            while position < text.count {
                if tokens.canStartName(text[position]) { return position }
                position += 1
            }
            return nil
        }
        for lane in firstBytes.indices where upcoming[lane] < position {
            let found = position < text.count ? memchr(base + position, Int32(firstBytes[lane]), text.count - position) : nil
            upcoming[lane] = found.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? text.count
        }
        let candidate = upcoming.min()
        return candidate < text.count ? candidate : nil
    }
}
