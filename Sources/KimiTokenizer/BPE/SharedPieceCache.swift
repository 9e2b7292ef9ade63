import CKimiAtomics
import CKimiPrefetch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The token IDs of pieces that had to be merged, kept across encode calls and shared by every
/// thread that encodes with the tokenizer.
///
/// A call's own ``PieceCache`` only knows the pieces it has met; a word's first merge in each
/// call is still paid in full, and for a text of a few kilobytes (a chat prompt) that is most
/// of them. This table keeps them for the life of the tokenizer: a piece's IDs depend on its
/// bytes alone, so a piece merged once by any call on any thread is looked up by the next.
///
/// It is a fixed table of slots of one size (``Shape``), mapped from the system zeroed (memory
/// is only touched as slots fill) and aligned so that a slot never straddles two cache lines,
/// a piece's slot chosen by its hash; a new piece replaces the one in its slot. Each slot is guarded by a
/// sequence number, odd while it is written: a reader copies the slot and keeps the copy only
/// if the number was even and unchanged across the copy, so reads take no lock and a torn read
/// is a miss, never wrong IDs. A writer that finds the slot being written leaves it. The key
/// is the piece's whole bytes, compared in full.
///
/// Slot layout: bytes 0–3 the sequence number (0: never written), 4 the piece's length, 5 its
/// ID count, 6–7 sixteen bits of its hash, from 8 to the middle of the slot the piece
/// (zero-padded), from the middle on the IDs in three bytes each.
final class SharedPieceCache: @unchecked Sendable {
    /// The size of a table's slots, which sets the longest piece and the most IDs it keeps.
    struct Shape: Sendable {
        /// Bytes per slot: 64 or 128.
        let slotBytes: Int
        /// Slots of 64 bytes: pieces of up to 24 bytes and 10 IDs (words of every script).
        static let short = Shape(slotBytes: 64)
        /// Slots of 128 bytes: pieces of up to 56 bytes and 21 IDs (a CJK clause of 18
        /// characters).
        static let long = Shape(slotBytes: 128)

        /// The longest piece kept: from byte 8 to the middle of the slot.
        var maxPieceBytes: Int { slotBytes / 2 - 8 }
        /// The most IDs kept: three bytes each, each written as four, ending at the slot's end.
        var maxIDs: Int { (slotBytes / 2 - 1) / 3 }
        /// Where the IDs start.
        var idsOffset: Int { slotBytes / 2 }
        /// The words a reader copies: everything after the header.
        var words: Int { slotBytes / 8 - 1 }
    }

    /// How many slots a table has by default: 8 MB of either shape (131,072 short slots,
    /// enough for the distinct merged words of a large book; 65,536 long ones).
    static func defaultSlotCount(_ shape: Shape) -> Int { (8 << 20) / shape.slotBytes }

    private static let keyOffset = 8
    /// A cache line: slots start on one, so that a lookup reads one line (two for long slots).
    private static let lineBytes = 64
    private static let idMask: UInt64 = 0xFF_FFFF

    let shape: Shape
    private let slots: UnsafeMutableRawPointer?
    private let mask: Int
    /// The whole mapping, unmapped on deinit.
    private let mapping: UnsafeMutableRawBufferPointer?

    /// A table of `slotCount` slots (a power of two) of `shape`.
    init(shape: Shape = .short, slotCount: Int? = nil) {
        self.shape = shape
        let count = slotCount ?? Self.defaultSlotCount(shape)
        let tableBytes = count * shape.slotBytes
        // Mapped, so that pages are zero and only touched as slots fill (huge pages, advised,
        // ran no faster and took 2 MB for each slot first written in one: 16 MB more resident
        // for the few pieces of a short text), with room to start the table on a 64-byte line.
        let mappedBytes = tableBytes + Self.lineBytes
        let mapped = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let mapped, mapped != MAP_FAILED {
            mapping = UnsafeMutableRawBufferPointer(start: mapped, count: mappedBytes)
            let aligned = (Int(bitPattern: mapped) + Self.lineBytes - 1) / Self.lineBytes * Self.lineBytes
            slots = UnsafeMutableRawPointer(bitPattern: aligned)
        } else {
            (mapping, slots) = (nil, nil)
        }
        mask = count - 1
    }

    deinit {
        if let mapping { munmap(mapping.baseAddress, mapping.count) }
    }

    /// The slot where a piece of hash `hash` is kept.
    @inline(__always)
    private func slot(hash: UInt64) -> UnsafeMutableRawPointer? {
        slots.map { $0 + (Int(truncatingIfNeeded: hash >> 24) & mask) * shape.slotBytes }
    }

    /// Starts loading the slot where a piece of hash `hash` is looked up, without waiting.
    @inline(__always)
    func prefetch(hash: UInt64) {
        guard let slot = slot(hash: hash) else { return }
        kimi_prefetch(slot)
        if shape.slotBytes > 64 { kimi_prefetch(slot + 64) }
    }

    /// The header word a slot holding `piece` (of hash `hash`) with `idCount` IDs has: the
    /// piece's length, the ID count, and 16 bits of the hash, so that a lookup passes over
    /// most other pieces by one comparison.
    @inline(__always)
    private static func header(count: Int, idCount: Int, hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: count) | UInt32(truncatingIfNeeded: idCount) << 8 | UInt32(truncatingIfNeeded: hash >> 8) << 16
    }

    /// The bits of a header that must match a lookup: the length and the hash's.
    private static let headerKeyMask: UInt32 = 0xFFFF_00FF

    /// The hash of a piece of any length that places it in a table of long slots: its length
    /// and every word of its bytes, mixed. (Short slots use ``PieceCache/hash(of:)``, which
    /// reads at most three words.)
    @inline(__always)
    static func longHash(of piece: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawPointer(piece.baseAddress.unsafelyUnwrapped)
        let count = piece.count
        var hash = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while count - offset > 8 {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            offset += 8
        }
        // The last word, overlapping the one before it (or the whole piece when it is shorter).
        let last = count >= 8 ? raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) : ByteLanes.load(raw, count: count)
        return (hash ^ last) &* 0x94D0_49BB_1331_11EB
    }

    /// Appends the IDs kept for `piece` (whose hash is `hash`) and returns true; false, with
    /// nothing appended, when its slot holds another piece, none, or is being written.
    @inline(__always)
    func appendIDs(of piece: UnsafeBufferPointer<UInt8>, hash: UInt64, to output: inout TokenIDBuffer) -> Bool {
        guard let slot = slot(hash: hash) else { return false }
        let before = kimi_load_acquire_u32(slot)
        let header = kimi_load_relaxed_u32(slot + 4)
        guard header & Self.headerKeyMask == Self.header(count: piece.count, idCount: 0, hash: hash), before & 1 == 0, before != 0
        else { return false }
        return appendIDs(in: slot, sequence: before, header: header, of: piece, to: &output)
    }

    /// Appends the IDs in `slot`, whose header matched `piece` when its sequence number was
    /// `sequence`, if its key is the piece and no writer came in since.
    @inline(__always)
    private func appendIDs(
        in slot: UnsafeMutableRawPointer, sequence: UInt32, header: UInt32, of piece: UnsafeBufferPointer<UInt8>,
        to output: inout TokenIDBuffer
    ) -> Bool {
        // The slot's words from the key on, copied; kept only if no writer came in between.
        var words: SlotWords = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let wordCount = shape.words
        withUnsafeMutableBytes(of: &words) { copy in
            for index in 0..<wordCount {
                copy.storeBytes(of: kimi_load_relaxed_u64(slot + Self.keyOffset + 8 * index), toByteOffset: 8 * index, as: UInt64.self)
            }
        }
        kimi_fence_acquire()
        guard kimi_load_relaxed_u32(slot) == sequence else { return false }
        let idsStart = shape.idsOffset - Self.keyOffset
        return withUnsafeBytes(of: &words) { copy in
            guard Self.equal(copy, piece) else { return false }
            let count = Int((header >> 8) & 0xFF)
            for index in 0..<count {
                let id = copy.loadUnaligned(fromByteOffset: idsStart + 3 * index, as: UInt32.self)
                output.append(Int(UInt64(id) & Self.idMask))
            }
            return true
        }
    }

    /// Whether the zero-padded key at the start of `copy` is `piece`, compared a word at a time
    /// (the key's length was compared already); no byte past the piece is read.
    @inline(__always)
    private static func equal(_ copy: UnsafeRawBufferPointer, _ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        let key = copy.baseAddress.unsafelyUnwrapped
        let bytes = UnsafeRawPointer(piece.baseAddress.unsafelyUnwrapped)
        let count = piece.count
        var offset = 0
        var differing: UInt64 = 0
        while count - offset >= 8 {
            differing |= key.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        if offset < count {
            differing |=
                UInt64(littleEndian: key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) ^ ByteLanes.load(bytes + offset, count: count - offset)
        }
        return differing == 0
    }

    /// Keeps `ids` for `piece` (whose hash is `hash`), unless the piece is longer than the
    /// shape's ``Shape/maxPieceBytes``, there are more IDs than its ``Shape/maxIDs``, one needs
    /// more than three bytes, or another thread is writing the slot.
    @inline(__always)
    func store(_ ids: UnsafeBufferPointer<Int>, of piece: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        guard let slot = slot(hash: hash), ids.count <= shape.maxIDs, piece.count <= shape.maxPieceBytes,
            ids.allSatisfy({ $0 >= 0 && UInt64($0) <= Self.idMask })
        else { return }
        // The words to write, built first: the piece (zero-padded), then the IDs.
        var words: SlotWords = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let idsStart = shape.idsOffset - Self.keyOffset
        withUnsafeMutableBytes(of: &words) { image in
            image.baseAddress.unsafelyUnwrapped.copyMemory(from: piece.baseAddress.unsafelyUnwrapped, byteCount: piece.count)
            // In order: each four-byte store's last byte is the next ID's first.
            for (index, id) in ids.enumerated() {
                image.storeBytes(of: UInt32(id), toByteOffset: idsStart + 3 * index, as: UInt32.self)
            }
        }
        let sequence = kimi_load_relaxed_u32(slot)
        guard sequence & 1 == 0, kimi_compare_exchange_u32(slot, sequence, sequence &+ 1) else { return }
        kimi_fence_release()
        kimi_store_relaxed_u32(slot + 4, Self.header(count: piece.count, idCount: ids.count, hash: hash))
        let wordCount = shape.words
        withUnsafeBytes(of: &words) { image in
            for index in 0..<wordCount {
                kimi_store_relaxed_u64(slot + Self.keyOffset + 8 * index, image.load(fromByteOffset: 8 * index, as: UInt64.self))
            }
        }
        // Skips 0, which means "never written", when the number wraps.
        let next = sequence &+ 2
        kimi_store_release_u32(slot, next == 0 ? 2 : next)
    }
}

/// A slot's words after its header, for the largest shape (128 bytes).
private typealias SlotWords = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
