/// An open-addressing map from integer keys to integer values with each entry packed into one
/// word (`key << valueBits | value`), so a lookup reads one 8-byte slot. The slots are built by
/// a ``Builder`` and then only read, from memory owned by whoever holds the table.
struct PackedWordTable: @unchecked Sendable {
    private let slots: UnsafeBufferPointer<UInt64>
    private let valueBits: UInt64
    static let empty = UInt64.max

    /// A table over `slots` made by a ``Builder`` with the same `valueBits`.
    init(slots: UnsafeBufferPointer<UInt64>, valueBits: Int) {
        self.slots = slots
        self.valueBits = UInt64(valueBits)
    }

    /// The value stored for `key`, if any.
    @inline(__always)
    func value(of key: UInt64) -> UInt64? {
        Self.find(key, in: slots, valueBits: valueBits).value
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private static func find(_ key: UInt64, in slots: UnsafeBufferPointer<UInt64>, valueBits: UInt64) -> (slot: Int, value: UInt64?) {
        let mask = slots.count - 1
        let mixed = (key ^ (key >> 31)) &* 0x9E37_79B9_7F4A_7C15
        var slot = Int(truncatingIfNeeded: mixed ^ (mixed >> 32)) & mask
        while true {
            let entry = slots[slot]
            if entry == empty { return (slot, nil) }
            if entry >> valueBits == key { return (slot, entry & ((1 << valueBits) - 1)) }
            slot = (slot + 1) & mask
        }
    }

    /// Collects entries, growing to stay at most half full; keys below `2^(64 - valueBits)`,
    /// values below `2^valueBits`, and no entry may pack to all ones.
    struct Builder {
        private(set) var slots = [UInt64](repeating: PackedWordTable.empty, count: 16)
        private var count = 0
        private let valueBits: UInt64

        init(valueBits: Int) {
            self.valueBits = UInt64(valueBits)
        }

        /// The value stored for `key`, if any.
        func value(of key: UInt64) -> UInt64? {
            slots.withUnsafeBufferPointer { PackedWordTable.find(key, in: $0, valueBits: valueBits).value }
        }

        /// Stores `value` for a `key` not stored yet.
        mutating func insert(_ key: UInt64, _ value: UInt64) {
            if 2 * (count + 1) > slots.count { grow() }
            let slot = slots.withUnsafeBufferPointer { PackedWordTable.find(key, in: $0, valueBits: valueBits).slot }
            slots[slot] = key << valueBits | value
            count += 1
        }

        private mutating func grow() {
            let old = slots
            slots = [UInt64](repeating: PackedWordTable.empty, count: old.count * 2)
            count = 0
            let mask = (UInt64(1) << valueBits) - 1
            for entry in old where entry != PackedWordTable.empty { insert(entry >> valueBits, entry & mask) }
        }
    }
}
