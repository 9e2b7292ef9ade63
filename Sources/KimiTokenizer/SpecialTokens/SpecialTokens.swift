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
    /// The distinct first bytes when there are at most four (``SpecialTokenScan`` then jumps
    /// from one occurrence to the next), else `nil`.
    let firstBytes: [UInt8]?

    /// The number of special tokens Kimi K2 and K2.5 reserve: 256 reserved plus 2.
    public static let slotCount = 256 + 2
    /// The number Kimi K3's tokenizer class reserves (a configuration that names `<|open|>`).
    public static let k3SlotCount = 256

    /// How many special tokens a configuration's tokenizer class builds.
    static func slotCount(addedTokens: [Int: String]) -> Int {
        addedTokens.values.contains("<|open|>") ? k3SlotCount : slotCount
    }

    init(firstID: Int, addedTokens: [Int: String], configPath: String) throws(VocabularyError) {
        let names = (firstID..<firstID + Self.slotCount(addedTokens: addedTokens)).map { id in
            addedTokens[id] ?? "<|reserved_token_\(id)|>"
        }
        try self.init(firstID: firstID, names: names, configPath: configPath)
    }

    /// These special tokens up to `endID` (exclusive): the ones a vocabulary that ends there has.
    func ending(at endID: Int) -> SpecialTokens {
        let kept = Array(names.prefix(max(0, endID - firstID)))
        // A prefix of distinct names stays distinct.
        return (try? SpecialTokens(firstID: firstID, names: kept, configPath: "")) ?? self
    }

    private init(firstID: Int, names: [String], configPath: String) throws(VocabularyError) {
        self.firstID = firstID
        switch ByteStringTable.build(names.map { Array($0.utf8) }) {
        case let .success(table):
            self.table = table
        case let .failure(duplicate):
            throw .invalidConfig(
                path: configPath,
                reason:
                    "special tokens \(firstID + duplicate.firstValue) and \(firstID + duplicate.repeatedValue) have the same name '\(names[duplicate.firstValue])'"
            )
        }
        self.names = names
        lengths = Set(names.map(\.utf8.count)).sorted(by: >)
        var startBytes = [Bool](repeating: false, count: 256)
        for case let first? in names.map(\.utf8.first) { startBytes[Int(first)] = true }
        self.startBytes = startBytes
        let firstBytes = (0..<256).filter { startBytes[$0] }.map(UInt8.init)
        self.firstBytes = firstBytes.count <= SpecialTokenScan.searchedBytes ? firstBytes : nil
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

    /// The special-token names in `text`, in order.
    func scan(_ text: UnsafeBufferPointer<UInt8>) -> SpecialTokenScan {
        SpecialTokenScan(tokens: self, text: text)
    }

    /// Whether `byte` starts some name.
    @inline(__always)
    func canStartName(_ byte: UInt8) -> Bool {
        startBytes[Int(byte)]
    }

    /// The name at `position` of `text`, if one starts there: its byte range and id. The longest
    /// name wins (no Kimi name is a prefix of another).
    @inline(__always)
    func match(in text: UnsafeBufferPointer<UInt8>, at position: Int) -> (range: Range<Int>, id: Int)? {
        guard startBytes[Int(text[position])] else { return nil }
        for length in lengths where position + length <= text.count {
            let candidate = UnsafeBufferPointer(rebasing: text[position..<position + length])
            if let value = table.value(of: candidate) {
                return (position..<position + length, value + firstID)
            }
        }
        return nil
    }
}
