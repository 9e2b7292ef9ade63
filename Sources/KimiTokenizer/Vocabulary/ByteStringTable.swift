/// An immutable set of byte strings, each with an integer value, stored flat.
///
/// All strings live in one buffer; lookups hash a byte range and probe an open-addressing
/// table, so no per-string allocation happens at load or at lookup time. Each slot holds the
/// string's length and first eight bytes next to its value, so a lookup reads one slot (one
/// cache line) for every string of up to eight bytes, and touches the string buffer only to
/// confirm the rest of a longer one. The buffers are allocated once when the table is built and
/// never written again, which makes the table safe to share between threads.
struct ByteStringTable: Sendable {
    private let storage: Storage

    /// The number of strings.
    var count: Int { storage.count }

    /// One open-addressing slot: `value + 1` (0 when empty), the length and the first eight
    /// bytes of the string, zero-padded, as a little-endian word.
    private struct Slot {
        var prefix: UInt64
        var length: UInt32
        var valuePlusOne: UInt32
    }

    /// Owns the buffers: concatenated strings, offsets by value, and hash slots.
    private final class Storage: @unchecked Sendable {
        let bytes: UnsafeMutableBufferPointer<UInt8>
        /// `offsets[v] ..< offsets[v + 1]` is the string with value `v`.
        let offsets: UnsafeMutableBufferPointer<UInt32>
        let slots: UnsafeMutableBufferPointer<Slot>
        let mask: Int
        var count: Int { offsets.count - 1 }

        init(totalBytes: Int, count: Int, capacity: Int) {
            bytes = .allocate(capacity: max(totalBytes, 1))
            offsets = .allocate(capacity: count + 1)
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: Slot(prefix: 0, length: 0, valuePlusOne: 0))
            mask = capacity - 1
        }

        deinit {
            bytes.deallocate()
            offsets.deallocate()
            slots.deallocate()
        }
    }

    /// Two values whose strings are equal.
    struct DuplicateString: Error {
        let firstValue: Int
        let repeatedValue: Int
    }

    /// Builds the table from strings whose values are their positions in `strings`.
    static func build(_ strings: [[UInt8]]) -> Result<ByteStringTable, DuplicateString> {
        var offsets: [UInt32] = [0]
        for string in strings { offsets.append(offsets[offsets.count - 1] + UInt32(string.count)) }
        return build(bytes: Array(strings.joined()), offsets: offsets)
    }

    /// Builds the table from concatenated strings: value `v` is `bytes[offsets[v] ..< offsets[v + 1]]`.
    static func build(bytes: [UInt8], offsets: [UInt32]) -> Result<ByteStringTable, DuplicateString> {
        let count = offsets.count - 1
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        let storage = Storage(totalBytes: bytes.count, count: count, capacity: capacity)
        _ = storage.bytes.initialize(from: bytes)
        _ = storage.offsets.initialize(from: offsets)
        let table = ByteStringTable(storage: storage)
        for value in 0..<count {
            let string = UnsafeBufferPointer(rebasing: storage.bytes[Int(offsets[value])..<Int(offsets[value + 1])])
            let found = table.slot(of: string)
            if let existing = found.value {
                return .failure(DuplicateString(firstValue: existing, repeatedValue: value))
            }
            storage.slots[found.slot] = Slot(prefix: Self.prefix(string), length: UInt32(string.count), valuePlusOne: UInt32(value + 1))
        }
        return .success(table)
    }

    /// The value of `bytes`, or `nil` if it is not in the table.
    @inline(__always)
    func value(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        slot(of: bytes).value
    }

    /// The slot holding `bytes`, or the empty slot where it would go.
    @inline(__always)
    private func slot(of bytes: UnsafeBufferPointer<UInt8>) -> (slot: Int, value: Int?) {
        let storage = self.storage
        let prefix = Self.prefix(bytes)
        let length = UInt32(truncatingIfNeeded: bytes.count)
        var slot = Int(truncatingIfNeeded: Self.hash(bytes, prefix: prefix)) & storage.mask
        while true {
            let entry = storage.slots[slot]
            if entry.valuePlusOne == 0 { return (slot, nil) }
            if entry.length == length, entry.prefix == prefix {
                let value = Int(entry.valuePlusOne - 1)
                if bytes.count <= 8 { return (slot, value) }
                let start = Int(storage.offsets[value])
                if let wanted = bytes.baseAddress, let stored = storage.bytes.baseAddress,
                   memcmp(stored + start + 8, wanted + 8, bytes.count - 8) == 0 {
                    return (slot, value)
                }
            }
            slot = (slot + 1) & storage.mask
        }
    }

    /// The string with value `value`, which must be in `0..<count`.
    func bytes(of value: Int) -> ArraySlice<UInt8> {
        let start = Int(storage.offsets[value])
        let end = Int(storage.offsets[value + 1])
        return ArraySlice(UnsafeBufferPointer(rebasing: storage.bytes[start..<end]))
    }

    /// The first eight bytes of `bytes` (fewer, zero-padded, if it is shorter) as a
    /// little-endian word.
    @inline(__always)
    private static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        if bytes.count >= 8 { return UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)) }
        var word: UInt64 = 0
        for index in 0..<bytes.count { word |= UInt64(base[index]) << (8 * UInt64(index)) }
        return word
    }

    /// A multiply-mix hash of the length, the first word and the later 8-byte words (the last
    /// one may overlap the one before).
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> UInt64 {
        var hash = (0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count) ^ prefix) &* 0xBF58_476D_1CE4_E5B9
        if bytes.count > 8, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var index = 8
            while index < bytes.count {
                let offset = min(index, bytes.count - 8)
                hash ^= hash >> 29
                hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))) &* 0xBF58_476D_1CE4_E5B9
                index += 8
            }
        }
        hash = (hash ^ (hash >> 32)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 29)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
