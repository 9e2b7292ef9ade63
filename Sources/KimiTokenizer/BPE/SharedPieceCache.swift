import CKimiAtomics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The token IDs of short pieces that had to be merged, kept across encode calls and shared by
/// every thread that encodes with the tokenizer.
///
/// A call's own ``PieceCache`` only knows the pieces it has met; a word's first merge in each
/// call is still paid in full, and for a text of a few kilobytes (a chat prompt) that is most
/// of them. This table keeps them for the life of the tokenizer: a piece's IDs depend on its
/// bytes alone, so a piece merged once by any call on any thread is looked up by the next.
///
/// It is a fixed table of 64-byte slots (``defaultSlotCount`` of them, allocated zeroed, so pages
/// are only touched as slots fill), placed by ``PieceCache/hash(of:)``; a new piece replaces
/// the one in its slot. Each slot is guarded by a sequence number, odd while it is written:
/// a reader copies the slot and keeps the copy only if the number was even and unchanged
/// across the copy, so reads take no lock and a torn read is a miss, never wrong IDs. A
/// writer that finds the slot being written leaves it. The key is the piece's whole bytes,
/// compared in full.
///
/// Slot layout: bytes 0–3 the sequence number (0: never written), 4 the piece's length, 5 its
/// ID count, 8–31 the piece, 32–63 the IDs in three bytes each (up to ``maxIDs``).
final class SharedPieceCache: @unchecked Sendable {
    /// How many slots by default: 8 MB, enough for the distinct merged words of a large book.
    static let defaultSlotCount = 1 << 17
    /// The most IDs a slot holds: ten three-byte IDs, each written as four bytes, end at byte 63.
    static let maxIDs = 10
    /// The longest piece kept.
    static let maxPieceBytes = 24
    private static let slotBytes = 64
    private static let keyOffset = 8
    private static let idsOffset = 32
    private static let idMask: UInt64 = 0xFF_FFFF

    private let slots: UnsafeMutableRawPointer?
    private let mask: Int

    /// A table of `slotCount` slots (a power of two).
    init(slotCount: Int = defaultSlotCount) {
        slots = calloc(slotCount, Self.slotBytes)
        mask = slotCount - 1
    }

    deinit { free(slots) }

    @inline(__always)
    private func slot(hash: UInt64) -> UnsafeMutableRawPointer? {
        slots.map { $0 + (Int(truncatingIfNeeded: hash >> 24) & mask) * Self.slotBytes }
    }

    /// Appends the IDs kept for `piece` (whose ``PieceCache/hash(of:)`` is `hash`) and returns
    /// true; false, with nothing appended, when its slot holds another piece, none, or is being
    /// written.
    @inline(__always)
    func appendIDs(of piece: UnsafeBufferPointer<UInt8>, hash: UInt64, to output: inout TokenIDBuffer) -> Bool {
        guard let slot = slot(hash: hash) else { return false }
        let before = kimi_load_acquire_u32(slot)
        guard before & 1 == 0, before != 0 else { return false }
        let header = kimi_load_relaxed_u32(slot + 4)
        guard Int(header & 0xFF) == piece.count else { return false }
        // The slot's words from the key on, copied; kept only if no writer came in between.
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { copy in
            for index in 0..<7 {
                copy.storeBytes(of: kimi_load_relaxed_u64(slot + Self.keyOffset + 8 * index), toByteOffset: 8 * index, as: UInt64.self)
            }
        }
        kimi_fence_acquire()
        guard kimi_load_relaxed_u32(slot) == before else { return false }
        return withUnsafeBytes(of: &words) { copy in
            guard memcmp(copy.baseAddress.unsafelyUnwrapped, piece.baseAddress.unsafelyUnwrapped, piece.count) == 0 else { return false }
            let count = Int((header >> 8) & 0xFF)
            let idsStart = Self.idsOffset - Self.keyOffset
            for index in 0..<count {
                let id = copy.loadUnaligned(fromByteOffset: idsStart + 3 * index, as: UInt32.self)
                output.append(Int(UInt64(id) & Self.idMask))
            }
            return true
        }
    }

    /// Keeps `ids` for `piece` (whose hash is `hash`), unless there are more
    /// than ``maxIDs``, one needs more than three bytes, or another thread is writing the slot.
    @inline(__always)
    func store(_ ids: UnsafeBufferPointer<Int>, of piece: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        guard let slot = slot(hash: hash), ids.count <= Self.maxIDs, piece.count <= Self.maxPieceBytes,
            ids.allSatisfy({ $0 >= 0 && UInt64($0) <= Self.idMask })
        else { return }
        // The words to write, built first: the piece (zero-padded), then the IDs.
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { image in
            image.baseAddress.unsafelyUnwrapped.copyMemory(from: piece.baseAddress.unsafelyUnwrapped, byteCount: piece.count)
            // In order: each four-byte store's last byte is the next ID's first.
            for (index, id) in ids.enumerated() {
                image.storeBytes(of: UInt32(id), toByteOffset: Self.idsOffset - Self.keyOffset + 3 * index, as: UInt32.self)
            }
        }
        let sequence = kimi_load_relaxed_u32(slot)
        guard sequence & 1 == 0, kimi_compare_exchange_u32(slot, sequence, sequence &+ 1) else { return }
        kimi_fence_release()
        kimi_store_relaxed_u32(slot + 4, UInt32(piece.count) | UInt32(ids.count) << 8)
        withUnsafeBytes(of: &words) { image in
            for index in 0..<7 {
                kimi_store_relaxed_u64(slot + Self.keyOffset + 8 * index, image.load(fromByteOffset: 8 * index, as: UInt64.self))
            }
        }
        // Skips 0, which means "never written", when the number wraps.
        let next = sequence &+ 2
        kimi_store_release_u32(slot, next == 0 ? 2 : next)
    }
}
