/// An immutable set of byte strings, each with an integer value, stored flat.
///
/// All strings live in one buffer; lookups hash a byte range and probe an open-addressing
/// table, so no per-string allocation happens at load or at lookup time.
struct ByteStringTable: Sendable {
    /// The concatenated strings, in value order.
    private let storage: [UInt8]
    /// `offsets[v] ..< offsets[v + 1]` is the string with value `v`.
    private let offsets: [UInt32]
    /// Open-addressing slots holding `value + 1`, or 0 when empty.
    private let slots: [UInt32]
    private let mask: Int

    /// The number of strings.
    var count: Int { offsets.count - 1 }

    /// Builds the table from strings whose values are their positions in `strings`.
    /// Returns the index of the first string that repeats an earlier one, if any.
    static func build(_ strings: [[UInt8]]) -> Result<ByteStringTable, DuplicateString> {
        var storage: [UInt8] = []
        storage.reserveCapacity(strings.reduce(0) { $0 + $1.count })
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(strings.count + 1)
        for string in strings {
            storage.append(contentsOf: string)
            offsets.append(UInt32(storage.count))
        }
        var capacity = 16
        while capacity < strings.count * 2 { capacity <<= 1 }
        var slots = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for (value, string) in strings.enumerated() {
            var slot = Int(truncatingIfNeeded: Self.hash(string)) & mask
            while slots[slot] != 0 {
                let other = Int(slots[slot] - 1)
                if storage[Int(offsets[other])..<Int(offsets[other + 1])].elementsEqual(string) {
                    return .failure(DuplicateString(firstValue: other, repeatedValue: value))
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = UInt32(value + 1)
        }
        return .success(ByteStringTable(storage: storage, offsets: offsets, slots: slots, mask: mask))
    }

    /// Two values whose strings are equal.
    struct DuplicateString: Error {
        let firstValue: Int
        let repeatedValue: Int
    }

    /// The value of `bytes`, or `nil` if it is not in the table.
    @inline(__always)
    func value(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        return storage.withUnsafeBufferPointer { storage in
            slots.withUnsafeBufferPointer { slots in
                offsets.withUnsafeBufferPointer { offsets in
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return nil }
                        let value = Int(entry - 1)
                        let start = Int(offsets[value])
                        let end = Int(offsets[value + 1])
                        if end - start == bytes.count {
                            guard let stored = storage.baseAddress, let wanted = bytes.baseAddress else {
                                return value // both empty
                            }
                            if memcmp(stored + start, wanted, bytes.count) == 0 { return value }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// The string with value `value`, which must be in `0..<count`.
    func bytes(of value: Int) -> ArraySlice<UInt8> {
        storage[Int(offsets[value])..<Int(offsets[value + 1])]
    }

    /// FNV-1a, 64-bit.
    @inline(__always)
    private static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
