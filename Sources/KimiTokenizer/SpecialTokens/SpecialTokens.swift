/// The special tokens of a Kimi vocabulary, built exactly as `tokenization_kimi.py` builds them:
/// 256 + 2 ids starting right after the last rank, each named by `added_tokens_decoder` where it
/// gives a name and `<|reserved_token_ID|>` (the absolute id) otherwise.
public struct SpecialTokens: Sendable {
    /// The first special id (the number of ranks).
    public let firstID: Int
    /// Names indexed by `id - firstID`.
    public let names: [String]
    private let table: ByteStringTable
    /// The distinct byte lengths of the names, longest first, for matching.
    private let lengths: [Int]
    /// Which bytes can start a name.
    private let startBytes: [Bool]
    /// The distinct first bytes, each repeated in all eight lanes (the first again where there
    /// are fewer than four), for skipping text eight bytes at a time; `nil` when the names start
    /// with more than four distinct bytes.
    private let startByteWords: (UInt64, UInt64, UInt64, UInt64)?

    /// The number of special tokens Kimi reserves: 256 reserved plus 2.
    public static let slotCount = 256 + 2

    init(firstID: Int, addedTokens: [Int: String], configPath: String) throws(VocabularyError) {
        self.firstID = firstID
        let names = (firstID..<firstID + Self.slotCount).map { id in
            addedTokens[id] ?? "<|reserved_token_\(id)|>"
        }
        switch ByteStringTable.build(names.map { Array($0.utf8) }) {
        case let .success(table):
            self.table = table
        case let .failure(duplicate):
            throw .invalidConfig(path: configPath, reason: "special tokens \(firstID + duplicate.firstValue) and \(firstID + duplicate.repeatedValue) have the same name '\(names[duplicate.firstValue])'")
        }
        self.names = names
        lengths = Set(names.map(\.utf8.count)).sorted(by: >)
        var startBytes = [Bool](repeating: false, count: 256)
        for case let first? in names.map(\.utf8.first) { startBytes[Int(first)] = true }
        self.startBytes = startBytes
        let firstBytes = (0..<256).filter { startBytes[$0] }
        if let first = firstBytes.first, firstBytes.count <= 4 {
            let words = (firstBytes + Array(repeating: first, count: 4 - firstBytes.count)).map { UInt64($0) &* ByteLanes.low }
            startByteWords = (words[0], words[1], words[2], words[3])
        } else {
            startByteWords = nil
        }
    }

    /// All ids, ascending.
    public var ids: Range<Int> { firstID..<firstID + names.count }

    /// The id of the special token spelled `name`, if any.
    public func id(named name: String) -> Int? {
        var name = name
        return name.withUTF8 { table.value(of: $0) }.map { $0 + firstID }
    }

    /// The name of special token `id`, if `id` is a special token.
    public func name(of id: Int) -> String? {
        ids.contains(id) ? names[id - firstID] : nil
    }

    /// The first special-token name in `text[from...]`: its byte range and id.
    /// At one position the longest name wins (no Kimi name is a prefix of another).
    func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> (range: Range<Int>, id: Int)? {
        var position = start
        while position < text.count {
            position = nextCandidate(in: text, from: position)
            guard position < text.count else { break }
            if startBytes[Int(text[position])] {
                for length in lengths where position + length <= text.count {
                    let candidate = UnsafeBufferPointer(rebasing: text[position..<position + length])
                    if let value = table.value(of: candidate) {
                        return (position..<position + length, value + firstID)
                    }
                }
            }
            position += 1
        }
        return nil
    }

    /// The first position from `start` whose byte may start a name, or from where the rest is
    /// shorter than eight bytes: names are rare in text, so most of it is passed over a word at
    /// a time.
    @inline(__always)
    private func nextCandidate(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let (a, b, c, d) = startByteWords, let base = text.baseAddress else { return start }
        var position = start
        while position + 8 <= text.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let hits = ByteLanes.zeroLanes(word ^ a) | ByteLanes.zeroLanes(word ^ b)
                | ByteLanes.zeroLanes(word ^ c) | ByteLanes.zeroLanes(word ^ d)
            if hits != 0 { return position + hits.trailingZeroBitCount / 8 }
            position += 8
        }
        return position
    }
}
