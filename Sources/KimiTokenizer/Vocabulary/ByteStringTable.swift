import CKimiPrefetch

/// An immutable set of byte strings, each with an integer value, stored flat.
///
/// All strings live in one buffer; lookups hash a byte range and probe an open-addressing
/// table, so no per-string allocation happens at load or at lookup time. Each slot holds the
/// string's length and first eight bytes next to its value, so a lookup reads one slot (one
/// cache line) for every string of up to eight bytes, and touches the string buffer only to
/// confirm the rest of a longer one. Two bit filters, one over the strings of up to eight
/// bytes and one over the longer ones, rule out most strings that are not in the table (a
/// piece of random text, a word that is no token) without touching the slots, which are spread
/// over megabytes. The five arrays are built once by ``Arrays/build(bytes:offsets:)`` and then
/// only read, from a ``RawMemory`` block that may be a cache file.
struct ByteStringTable: @unchecked Sendable {
    /// One open-addressing slot: `value + 1` (0 when empty), the length and the first eight
    /// bytes of the string, zero-padded, as a little-endian word.
    struct Slot: BitwiseCopyable {
        var prefix: UInt64
        var length: UInt32
        var valuePlusOne: UInt32
    }

    /// The arrays of a table: the concatenated strings, their offsets by value (`offsets[v] ..<
    /// offsets[v + 1]` is the string with value `v`), the hash slots, the filter of the strings
    /// of up to eight bytes (three bits of one word per string, from its slot hash) and that of
    /// the longer ones (two bits of one word per string, from a hash of its ends).
    struct Arrays {
        let bytes: [UInt8]
        let offsets: [UInt32]
        let slots: [Slot]
        let shortStringFilter: [UInt64]
        let longStringFilter: [UInt64]

        /// Hashes every string; fails on two values with equal strings.
        static func build(bytes: [UInt8], offsets: [UInt32]) -> Result<Arrays, DuplicateString> {
            let count = offsets.count - 1
            var capacity = 16
            while capacity < count * 2 { capacity <<= 1 }
            var slots = [Slot](repeating: Slot(prefix: 0, length: 0, valuePlusOne: 0), count: capacity)
            // At least eight bits per string in each filter: with two bits per string, about 3%
            // of the long strings that are not in the table pass (64 KB for the Kimi
            // vocabulary's 46,472); with three, about 3% of the short ones (128 KB for 117,112).
            let longStrings = (0..<count).count(where: { offsets[$0 + 1] - offsets[$0] > 8 })
            var shortFilter = [UInt64](repeating: 0, count: filterWords(for: count - longStrings))
            var longFilter = [UInt64](repeating: 0, count: filterWords(for: longStrings))
            let duplicate: DuplicateString? = bytes.withUnsafeBufferPointer { bytes in
                offsets.withUnsafeBufferPointer { offsets in
                    slots.withUnsafeMutableBufferPointer { slots in
                        for value in 0..<count {
                            let string = UnsafeBufferPointer(rebasing: bytes[Int(offsets[value])..<Int(offsets[value + 1])])
                            let found = probe(for: string, slots: UnsafeBufferPointer(slots), bytes: bytes, offsets: offsets)
                            if let existing = found.value { return DuplicateString(firstValue: existing, repeatedValue: value) }
                            slots[found.slot] = Slot(prefix: prefix(string), length: UInt32(string.count), valuePlusOne: UInt32(value + 1))
                            if string.count > 8 {
                                let (word, bits) = longFilterBits(of: string, words: longFilter.count)
                                longFilter[word] |= bits
                            } else {
                                let (word, bits) = shortFilterBits(hash: hash(string, prefix: prefix(string)), words: shortFilter.count)
                                shortFilter[word] |= bits
                            }
                        }
                        return nil
                    }
                }
            }
            if let duplicate { return .failure(duplicate) }
            return .success(
                Arrays(
                    bytes: bytes, offsets: offsets, slots: slots, shortStringFilter: shortFilter,
                    longStringFilter: longFilter))
        }

        /// The words of a filter with at least eight bits for each of `strings`: a power of two.
        static func filterWords(for strings: Int) -> Int {
            var words = 1
            while words * 64 < strings * 8 { words <<= 1 }
            return words
        }

        /// The arrays of strings whose values are their positions in `strings`.
        static func build(_ strings: [[UInt8]]) -> Result<Arrays, DuplicateString> {
            var offsets: [UInt32] = [0]
            for string in strings { offsets.append(offsets[offsets.count - 1] + UInt32(string.count)) }
            return build(bytes: Array(strings.joined()), offsets: offsets)
        }
    }

    /// Two values whose strings are equal.
    struct DuplicateString: Error {
        let firstValue: Int
        let repeatedValue: Int
    }

    /// Keeps the memory the buffers point into alive.
    private let memory: RawMemory
    private let bytes: UnsafeBufferPointer<UInt8>
    private let offsets: UnsafeBufferPointer<UInt32>
    private let slots: UnsafeBufferPointer<Slot>
    private let shortStringFilter: UnsafeBufferPointer<UInt64>
    private let longStringFilter: UnsafeBufferPointer<UInt64>

    /// The table over arrays that ``Arrays/build(bytes:offsets:)`` made, kept in `memory`.
    init(
        memory: RawMemory, bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<UInt32>, slots: UnsafeBufferPointer<Slot>,
        shortStringFilter: UnsafeBufferPointer<UInt64>, longStringFilter: UnsafeBufferPointer<UInt64>
    ) {
        self.memory = memory
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
        self.shortStringFilter = shortStringFilter
        self.longStringFilter = longStringFilter
    }

    /// A table with its own copy of `arrays`.
    init(arrays: Arrays) {
        let image = TableImage([
            TableImageArray(arrays.bytes), TableImageArray(arrays.offsets), TableImageArray(arrays.slots),
            TableImageArray(arrays.shortStringFilter), TableImageArray(arrays.longStringFilter),
        ])
        self.init(
            memory: image.memory, bytes: image.buffer(0), offsets: image.buffer(1), slots: image.buffer(2),
            shortStringFilter: image.buffer(3), longStringFilter: image.buffer(4))
    }

    /// A table with its own memory, for small sets built at run time.
    static func build(_ strings: [[UInt8]]) -> Result<ByteStringTable, DuplicateString> {
        Arrays.build(strings).map(ByteStringTable.init(arrays:))
    }

    /// The number of strings.
    var count: Int { offsets.count - 1 }

    /// The value of `bytes`, or `nil` if it is not in the table.
    @inline(__always)
    func value(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if bytes.count <= 8 { return value(ofWord: Self.prefix(bytes), length: bytes.count) }
        // Most longer strings looked up are not in the table: the filter says so from memory
        // that stays in cache.
        let (word, bits) = Self.longFilterBits(of: bytes, words: longStringFilter.count)
        if longStringFilter[word] & bits != bits { return nil }
        return Self.probe(for: bytes, slots: slots, bytes: self.bytes, offsets: offsets).value
    }

    /// The value of the string of `length` bytes, 1 to 8, whose bytes are the little-endian word
    /// `word` (zero above them), or `nil`: one hash, one word of the filter and, unless the
    /// filter rules the string out, one slot, with no bytes to load or compare.
    @inline(__always)
    func value(ofWord word: UInt64, length: Int) -> Int? {
        let hash = Self.hash(word: word, length: length)
        let (filterWord, bits) = Self.shortFilterBits(hash: hash, words: shortStringFilter.count)
        if shortStringFilter[filterWord] & bits != bits { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let length = UInt32(truncatingIfNeeded: length)
        while true {
            let entry = slots[slot]
            if entry.valuePlusOne == 0 { return nil }
            if entry.length == length, entry.prefix == word { return Int(entry.valuePlusOne - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// Starts loading the slot where ``value(ofWord:length:)`` begins its probe for the same
    /// arguments, without waiting for it or for the filter (testing the filter first costs more
    /// than the prefetch it would save).
    @inline(__always)
    func prefetch(word: UInt64, length: Int) {
        let hash = Self.hash(word: word, length: length)
        kimi_prefetch(slots.baseAddress.unsafelyUnwrapped + (Int(truncatingIfNeeded: hash) & (slots.count - 1)))
    }

    /// The word of a filter of `words` words (a power of two) and the three bits in it for a
    /// string of up to eight bytes with slot hash `hash`: from its high bits, which the slot
    /// index (its low bits) does not use.
    @inline(__always)
    private static func shortFilterBits(hash: UInt64, words: Int) -> (word: Int, bits: UInt64) {
        let word = Int(truncatingIfNeeded: hash >> 40) & (words - 1)
        return (word, 1 << ((hash >> 22) & 63) | 1 << ((hash >> 28) & 63) | 1 << ((hash >> 34) & 63))
    }

    /// The word of a filter of `words` words (a power of two) and the two bits in it for a
    /// string longer than eight bytes, from a hash of its length and first and last eight bytes
    /// (cheaper than the slot hash, which reads every word).
    @inline(__always)
    private static func longFilterBits(of bytes: UnsafeBufferPointer<UInt8>, words: Int) -> (word: Int, bits: UInt64) {
        let raw = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped)
        var hash = (UInt64(bytes.count) ^ raw.loadUnaligned(as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        let word = Int(truncatingIfNeeded: hash >> 44) & (words - 1)
        return (word, 1 << ((hash >> 32) & 63) | 1 << ((hash >> 38) & 63))
    }

    /// The slot holding `wanted`, or the empty slot where it would go.
    @inline(__always)
    private static func probe(
        for wanted: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<Slot>,
        bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<UInt32>
    ) -> (slot: Int, value: Int?) {
        let prefix = Self.prefix(wanted)
        let length = UInt32(truncatingIfNeeded: wanted.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(wanted, prefix: prefix)) & mask
        while true {
            let entry = slots[slot]
            if entry.valuePlusOne == 0 { return (slot, nil) }
            if entry.length == length, entry.prefix == prefix {
                let value = Int(entry.valuePlusOne - 1)
                if wanted.count <= 8 { return (slot, value) }
                let start = Int(offsets[value])
                if let wantedBase = wanted.baseAddress, let stored = bytes.baseAddress,
                    memcmp(stored + start + 8, wantedBase + 8, wanted.count - 8) == 0
                {
                    return (slot, value)
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The string with value `value`, which must be in `0..<count`.
    func bytes(of value: Int) -> ArraySlice<UInt8> {
        ArraySlice(UnsafeBufferPointer(rebasing: bytes[Int(offsets[value])..<Int(offsets[value + 1])]))
    }

    /// Appends the string with value `value`, which must be in `0..<count`, to `output`.
    func append(_ value: Int, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[Int(offsets[value])..<Int(offsets[value + 1])]))
    }

    /// The length of the string with value `value`, which must be in `0..<count`.
    @inline(__always)
    func length(of value: Int) -> Int {
        Int(offsets[value + 1] &- offsets[value])
    }

    /// The first eight bytes of `bytes` (fewer, zero-padded, if it is shorter) as a
    /// little-endian word.
    @inline(__always)
    private static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        return ByteLanes.load(UnsafeRawPointer(base), count: bytes.count)
    }

    /// A multiply-mix hash of the length, the first word and the later 8-byte words (the last
    /// one may overlap the one before).
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> UInt64 {
        var hash = seed(length: bytes.count, prefix: prefix)
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
        return finish(hash)
    }

    /// The slot hash of the string of `length` bytes, 1 to 8, whose bytes are the word `word`:
    /// what ``hash(_:prefix:)`` gives for it, with no bytes to read.
    @inline(__always)
    private static func hash(word: UInt64, length: Int) -> UInt64 {
        finish(seed(length: length, prefix: word))
    }

    /// The hash's state after the length and the first word.
    @inline(__always)
    private static func seed(length: Int, prefix: UInt64) -> UInt64 {
        (0x9E37_79B9_7F4A_7C15 ^ UInt64(length) ^ prefix) &* 0xBF58_476D_1CE4_E5B9
    }

    /// The hash's last mixing step.
    @inline(__always)
    private static func finish(_ hash: UInt64) -> UInt64 {
        let hash = (hash ^ (hash >> 32)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 29)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
