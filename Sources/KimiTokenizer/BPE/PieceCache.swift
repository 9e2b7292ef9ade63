#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The token IDs of recently merged short pieces, for one encode call.
///
/// In natural language most words recur, and a piece's IDs depend on its bytes alone, so a hit
/// replaces the byte-pair merges of a piece that is not itself a token (" привет", "ـالله")
/// by one probe. The cache is direct-mapped (a new piece replaces the one in its slot), sized
/// to the text it serves, and owned by a single call, so it needs no locking. A small array of
/// tags beside the slots settles most misses without reading a slot.
///
/// Where pieces seldom recur (base64, hashes, random identifiers) the probes and stores only
/// cost cache misses, so the cache watches its hit rate and stands aside for a while when it
/// is low (see ``isInUse()``).
///
/// It also carries the call's ``ValidPairMemo``, for the pieces it does not answer.
final class PieceCache {
    /// The longest piece kept, in bytes.
    static let maxPieceBytes = 24
    /// The most IDs kept for one piece. Measured on the Arabic corpus: a third of its pieces that
    /// are not one token have eight to eleven IDs (vowel marks are tokens of their own), and
    /// with seven kept they were merged every time they recurred.
    static let maxIDs = 11
    /// Texts shorter than this are encoded without a cache.
    static let minimumTextBytes = 512

    // One 64-byte slot: the piece's bytes (up to 24), its length (0 when empty) and ID
    // count, then the IDs in three bytes each from byte 28 (each read and written as four
    // bytes, which ends at byte 62 for the last).
    private static let slotBytes = 64
    private static let lengthOffset = 24
    private static let countOffset = 25
    private static let idsOffset = 28
    private static let idMask: UInt32 = 0xFF_FFFF

    private let slots: UnsafeMutableRawPointer
    /// Per slot, 31 bits of its piece's hash and a set bit (0 when empty): 4 bytes a slot (128 KB
    /// at most) that stay in the core's cache, where a lookup that misses is settled without
    /// reading the 64-byte slot from memory.
    private let tags: UnsafeMutablePointer<UInt32>
    /// The call's memo of valid pairs, for the backtracking merge, over `memoEntries`.
    let validPairs: ValidPairMemo
    private let memoEntries: UnsafeMutableBufferPointer<UInt64>
    private let mask: Int

    /// Lookups per judgement of the hit rate, the lowest rate that keeps the cache in use (as
    /// hits per lookup, `1 / minimumHitShare`), and how many pieces go past it when the rate is
    /// lower. Natural text hits often; random text such as base64 seldom does, and runs faster
    /// with no cache at all.
    static let judgedLookups = 8192
    static let minimumHitShare = 4
    static let bypassedPieces = 65536
    private var lookupsToJudge = judgedLookups
    private var hitsSinceJudged = 0
    private var piecesToBypass = 0

    /// A cache for a text of `textBytes` bytes: one slot per 16 bytes of text, at most 32,768
    /// (2 MB, reached at 512 KB of text); fewer slots would evict words that recur, which are
    /// then merged again.
    init?(textBytes: Int) {
        guard textBytes >= Self.minimumTextBytes else { return nil }
        var count = 32
        while count < 32768, count * 16 < textBytes { count <<= 1 }
        guard let memory = calloc(count, Self.slotBytes) else { return nil }
        guard let tagMemory = calloc(count, MemoryLayout<UInt32>.stride) else {
            free(memory)
            return nil
        }
        slots = memory
        tags = tagMemory.bindMemory(to: UInt32.self, capacity: count)
        mask = count - 1
        memoEntries = .allocate(capacity: ValidPairMemo.entryCount(textBytes: textBytes))
        validPairs = ValidPairMemo(entries: memoEntries)
    }

    deinit {
        free(slots)
        free(tags)
        memoEntries.deallocate()
    }

    /// Whether to look the next piece up: false while the cache stands aside after a low hit rate.
    @inline(__always)
    func isInUse() -> Bool {
        if piecesToBypass == 0 { return true }
        piecesToBypass -= 1
        return false
    }

    /// Counts the last lookup, which missed here, as a hit: the shared cache answered it. The
    /// rate judged is of pieces that needed no merge, wherever they were found, so that the
    /// cache stands aside only where pieces do not recur (not in a short call of a long-lived
    /// process, whose words the shared cache holds).
    @inline(__always)
    func recordAnsweredElsewhere() {
        hitsSinceJudged += 1
    }

    /// Counts one lookup and whether it hit, and judges the hit rate every ``judgedLookups``.
    @inline(__always)
    private func record(hit: Bool) {
        if hit { hitsSinceJudged += 1 }
        lookupsToJudge -= 1
        if lookupsToJudge == 0 {
            if hitsSinceJudged * Self.minimumHitShare < Self.judgedLookups { piecesToBypass = Self.bypassedPieces }
            lookupsToJudge = Self.judgedLookups
            hitsSinceJudged = 0
        }
    }

    /// Where a piece is or would be kept: the slot's index and the piece's tag.
    struct Slot {
        fileprivate let index: Int
        fileprivate let tag: UInt32
    }

    /// The slot where `piece`, whose ``hash(of:)`` is `hash`, is or would be kept.
    @inline(__always)
    func slot(hash: UInt64) -> Slot {
        Slot(index: Int(truncatingIfNeeded: hash >> 40) & mask, tag: UInt32(truncatingIfNeeded: hash >> 8) | 1)
    }

    /// The hash of `piece` (at most ``maxPieceBytes`` long) that places it in this cache and in
    /// the ``SharedPieceCache``: its length and at most three words of its bytes, mixed.
    @inline(__always)
    static func hash(of piece: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawPointer(piece.baseAddress.unsafelyUnwrapped)
        var hash = UInt64(piece.count) &* 0x9E37_79B9_7F4A_7C15
        if piece.count >= 8 {
            // The first and last eight bytes, overlapping for pieces under sixteen.
            hash = (hash ^ raw.loadUnaligned(as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: piece.count - 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
            if piece.count > 16 {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            }
        } else {
            hash = (hash ^ ByteLanes.load(raw, count: piece.count)) &* 0xBF58_476D_1CE4_E5B9
        }
        return hash
    }

    /// Whether `place`'s tag says it may hold its piece: a read of the tags alone, which stay
    /// in the core's cache, for deciding whether to start loading a piece's other lookups.
    @inline(__always)
    func mayHold(_ place: Slot) -> Bool {
        tags[place.index] == place.tag
    }

    /// The 64 bytes of `place`.
    @inline(__always)
    private func address(of place: Slot) -> UnsafeMutableRawPointer {
        slots + place.index * Self.slotBytes
    }

    /// Appends the IDs kept in `slot` for `piece` and returns true, or returns false when the
    /// slot holds another piece or none.
    @inline(__always)
    func appendIDs(in place: Slot, of piece: UnsafeBufferPointer<UInt8>, to output: inout TokenIDBuffer) -> Bool {
        let slot = address(of: place)
        guard tags[place.index] == place.tag, Int(slot.load(fromByteOffset: Self.lengthOffset, as: UInt8.self)) == piece.count,
            memcmp(slot, piece.baseAddress.unsafelyUnwrapped, piece.count) == 0
        else {
            record(hit: false)
            return false
        }
        record(hit: true)
        let count = Int(slot.load(fromByteOffset: Self.countOffset, as: UInt8.self))
        for index in 0..<count {
            output.append(Int(slot.loadUnaligned(fromByteOffset: Self.idsOffset + 3 * index, as: UInt32.self) & Self.idMask))
        }
        return true
    }

    /// Keeps `ids` for `piece` in `slot`, unless there are more than ``maxIDs`` or one needs
    /// more than three bytes.
    @inline(__always)
    func store(_ ids: UnsafeBufferPointer<Int>, of piece: UnsafeBufferPointer<UInt8>, in place: Slot) {
        guard ids.count <= Self.maxIDs, ids.allSatisfy({ $0 <= Int(Self.idMask) }) else { return }
        tags[place.index] = place.tag
        let slot = address(of: place)
        // The key in at most three word stores, which may overlap; no byte past the piece is read.
        let source = UnsafeRawPointer(piece.baseAddress.unsafelyUnwrapped)
        let count = piece.count
        if count < 8 {
            slot.storeBytes(of: ByteLanes.load(source, count: count), as: UInt64.self)
        } else {
            @inline(__always) func copyWord(at offset: Int) {
                slot.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            }
            copyWord(at: 0)
            if count > 16 { copyWord(at: 8) }
            copyWord(at: count - 8)
        }
        slot.storeBytes(of: UInt8(count), toByteOffset: Self.lengthOffset, as: UInt8.self)
        slot.storeBytes(of: UInt8(ids.count), toByteOffset: Self.countOffset, as: UInt8.self)
        // In order: each store's fourth byte is the next ID's first, which the next store writes.
        for (index, id) in ids.enumerated() {
            slot.storeBytes(of: UInt32(id), toByteOffset: Self.idsOffset + 3 * index, as: UInt32.self)
        }
    }
}
