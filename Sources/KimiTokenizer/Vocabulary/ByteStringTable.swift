/// An immutable set of byte strings, each with an integer value, stored flat.
///
/// All strings live in one buffer; lookups hash a byte range and probe an open-addressing
/// table, so no per-string allocation happens at load or at lookup time. The buffers are
/// allocated once when the table is built and never written again, which makes the table safe
/// to share between threads.
struct ByteStringTable: Sendable {
    private let storage: Storage

    /// The number of strings.
    var count: Int { storage.count }

    /// Owns the buffers: concatenated strings, offsets by value, and hash slots.
    private final class Storage: @unchecked Sendable {
        let bytes: UnsafeMutableBufferPointer<UInt8>
        /// `offsets[v] ..< offsets[v + 1]` is the string with value `v`.
        let offsets: UnsafeMutableBufferPointer<UInt32>
        /// Open-addressing slots holding `value + 1`, or 0 when empty.
        let slots: UnsafeMutableBufferPointer<UInt32>
        let mask: Int
        var count: Int { offsets.count - 1 }

        init(totalBytes: Int, count: Int, capacity: Int) {
            bytes = .allocate(capacity: max(totalBytes, 1))
            offsets = .allocate(capacity: count + 1)
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: 0)
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
            if storage.slots[found.slot] != 0 {
                return .failure(DuplicateString(firstValue: found.value ?? 0, repeatedValue: value))
            }
            storage.slots[found.slot] = UInt32(value + 1)
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
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & storage.mask
        while true {
            let entry = storage.slots[slot]
            if entry == 0 { return (slot, nil) }
            let value = Int(entry - 1)
            let start = Int(storage.offsets[value])
            let end = Int(storage.offsets[value + 1])
            if end - start == bytes.count, let wanted = bytes.baseAddress, let stored = storage.bytes.baseAddress,
               Self.equal(stored + start, wanted, bytes.count) {
                return (slot, value)
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

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count <= 8 {
            for index in 0..<count where a[index] != b[index] { return false }
            return true
        }
        return memcmp(a, b, count) == 0
    }

    /// A multiply-mix hash over 8-byte words (little-endian loads), then the tail bytes.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(base[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
