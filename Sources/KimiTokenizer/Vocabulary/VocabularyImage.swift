#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A parsed vocabulary in one block of memory: a header, the rank table, the rank of every
/// two-byte token, the backtracking tables and the piece cuts. The block is also the vocabulary cache file,
/// byte for byte, so a cached vocabulary is mapped and checked, not decoded.
///
/// Header (native byte order, 256 bytes): magic, format version, array count, a checksum of
/// everything after it, the SHA-256 of the `tiktoken.model` the image was parsed from, the
/// element count of each array, and zeros. Every byte of the file is covered: the first 16 are
/// compared, the checksum compares itself, and the checksum covers the rest.
final class VocabularyImage: @unchecked Sendable {
    private let image: TableImage
    let table: ByteStringTable
    /// The rank of each two-byte token, indexed by `first << 8 | second` (`UInt32.max`: none).
    let pairRanks: UnsafeBufferPointer<UInt32>
    /// `nil` when the vocabulary is too large for the packed backtracking tables.
    let backtracking: BacktrackingTables?
    /// Where pieces can be cut without changing their encoding; `nil` without backtracking
    /// tables or when some token is not what its own bytes merge to.
    let cuts: PieceCuts?
    /// The length of the longest token.
    let longestToken: Int

    /// Bump whenever an array, the header, a hash function or a slot format changes.
    static let formatVersion: UInt32 = 12

    /// The arrays, in order, with their element sizes.
    private enum Section: Int, CaseIterable {
        case tokenBytes, tokenOffsets, rankSlots, shortRankFilter, longRankFilter, pairRanks, trieSlots, oneByteNodes, twoByteNodes, threeByteNodes,
            pairStepSlots, charStepSlots, midCharNodes
        case tokenLinks, mergeSlots, mergeFilter, splitFreeCharacters, characterFlags, spannedPairs

        var stride: Int {
            switch self {
            case .tokenBytes: 1
            case .tokenOffsets, .pairRanks, .oneByteNodes, .twoByteNodes, .threeByteNodes, .characterFlags: 4
            case .shortRankFilter, .longRankFilter, .trieSlots, .pairStepSlots, .charStepSlots, .midCharNodes, .mergeSlots, .mergeFilter, .splitFreeCharacters,
                .spannedPairs:
                8
            case .rankSlots: MemoryLayout<ByteStringTable.Slot>.stride
            case .tokenLinks: MemoryLayout<BacktrackingTables.TokenLinks>.stride
            }
        }
    }

    /// "KIMITOKV" as a native word.
    private static let magic = UInt64(littleEndian: "KIMITOKV".utf8.reversed().reduce(0) { $0 << 8 | UInt64($1) })
    private static let headerSize = 256
    private static let pairCount = 1 << 16
    private enum Field: Int {
        case magic = 0, formatVersion = 8, arrayCount = 12, checksum = 16, sourceSHA256 = 24, counts = 56
    }

    private init(image: TableImage) {
        self.image = image
        let table = ByteStringTable(
            memory: image.memory, bytes: Self.buffer(.tokenBytes, in: image),
            offsets: Self.buffer(.tokenOffsets, in: image), slots: Self.buffer(.rankSlots, in: image),
            shortStringFilter: Self.buffer(.shortRankFilter, in: image),
            longStringFilter: Self.buffer(.longRankFilter, in: image))
        self.table = table
        pairRanks = Self.buffer(.pairRanks, in: image)
        let trieSlots: UnsafeBufferPointer<UInt64> = Self.buffer(.trieSlots, in: image)
        backtracking =
            trieSlots.isEmpty
            ? nil
            : BacktrackingTables(
                table: table, trieSlots: trieSlots, oneByteNodes: Self.buffer(.oneByteNodes, in: image),
                twoByteNodes: Self.buffer(.twoByteNodes, in: image), threeByteNodes: Self.buffer(.threeByteNodes, in: image),
                pairStepSlots: Self.buffer(.pairStepSlots, in: image),
                charStepSlots: Self.buffer(.charStepSlots, in: image),
                midCharNodes: Self.buffer(.midCharNodes, in: image),
                tokenLinks: Self.buffer(.tokenLinks, in: image), mergeSlots: Self.buffer(.mergeSlots, in: image),
                mergeFilter: Self.buffer(.mergeFilter, in: image), splitFreeCharacters: Self.buffer(.splitFreeCharacters, in: image))
        let characterFlags: UnsafeBufferPointer<UInt32> = Self.buffer(.characterFlags, in: image)
        cuts = characterFlags.isEmpty ? nil : PieceCuts(characterFlags: characterFlags, spannedPairs: Self.buffer(.spannedPairs, in: image))
        longestToken = (0..<table.count).reduce(0) { max($0, table.length(of: $1)) }
    }

    private static func buffer<T>(_ section: Section, in image: TableImage) -> UnsafeBufferPointer<T> {
        image.buffer(section.rawValue)
    }

    /// Builds the image of a parsed file, or names two ranks with the same bytes.
    static func build(file: TiktokenModelFile, sourceSHA256: SHA256Digest) -> Result<VocabularyImage, ByteStringTable.DuplicateString> {
        let rankArrays: ByteStringTable.Arrays
        switch ByteStringTable.Arrays.build(bytes: file.bytes, offsets: file.offsets) {
        case let .success(arrays): rankArrays = arrays
        case let .failure(duplicate): return .failure(duplicate)
        }
        var pairRanks = [UInt32](repeating: .max, count: pairCount)
        for rank in 0..<file.count where file.offsets[rank + 1] - file.offsets[rank] == 2 {
            let start = Int(file.offsets[rank])
            pairRanks[Int(file.bytes[start]) << 8 | Int(file.bytes[start + 1])] = UInt32(rank)
        }
        let table = ByteStringTable(arrays: rankArrays)
        let backtracking = BacktrackingTables.build(table: table)
        let cuts = backtracking.flatMap { $0.everyTokenIsAMerge ? PieceCuts.build(table: table) : nil }
        return .success(
            VocabularyImage(
                image: assemble(
                    rankArrays, pairRanks: pairRanks, backtracking: backtracking, cuts: cuts,
                    sourceSHA256: sourceSHA256)))
    }

    private static func assemble(
        _ ranks: ByteStringTable.Arrays, pairRanks: [UInt32], backtracking: BacktrackingTables.Arrays?,
        cuts: PieceCuts.Arrays?, sourceSHA256: SHA256Digest
    ) -> TableImage {
        let arrays = [
            TableImageArray(ranks.bytes), TableImageArray(ranks.offsets), TableImageArray(ranks.slots),
            TableImageArray(ranks.shortStringFilter), TableImageArray(ranks.longStringFilter), TableImageArray(pairRanks),
            TableImageArray(backtracking?.trieSlots ?? []), TableImageArray(backtracking?.oneByteNodes ?? []),
            TableImageArray(backtracking?.twoByteNodes ?? []), TableImageArray(backtracking?.threeByteNodes ?? []),
            TableImageArray(backtracking?.pairStepSlots ?? []),
            TableImageArray(backtracking?.charStepSlots ?? []),
            TableImageArray(backtracking?.midCharNodes ?? []),
            TableImageArray(backtracking?.tokenLinks ?? []), TableImageArray(backtracking?.mergeSlots ?? []),
            TableImageArray(backtracking?.mergeFilter ?? []), TableImageArray(backtracking?.splitFreeCharacters ?? []),
            TableImageArray(cuts?.characterFlags ?? []), TableImageArray(cuts?.spannedPairs ?? []),
        ]
        return TableImage(arrays, headerSize: headerSize) { block in
            block.storeBytes(of: magic, toByteOffset: Field.magic.rawValue, as: UInt64.self)
            block.storeBytes(of: formatVersion, toByteOffset: Field.formatVersion.rawValue, as: UInt32.self)
            block.storeBytes(of: UInt32(arrays.count), toByteOffset: Field.arrayCount.rawValue, as: UInt32.self)
            for (index, array) in arrays.enumerated() {
                block.storeBytes(of: UInt64(array.count), toByteOffset: Field.counts.rawValue + 8 * index, as: UInt64.self)
            }
            sourceSHA256.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: block[Field.sourceSHA256.rawValue..<Field.counts.rawValue]).copyMemory(from: $0)
            }
            block.storeBytes(
                of: checksum(UnsafeRawBufferPointer(rebasing: block[Field.sourceSHA256.rawValue...])),
                toByteOffset: Field.checksum.rawValue, as: UInt64.self)
        }
    }

    /// Maps the image cached in `path` for the file with `sourceSHA256`; `nil` when the file is
    /// missing or unreadable, is for another vocabulary or format version, has the wrong size
    /// or shape, or fails its checksum.
    static func read(path: String, sourceSHA256: SHA256Digest) -> VocabularyImage? {
        guard let memory = RawMemory(mappingFileAt: path), memory.byteCount >= headerSize else { return nil }
        let block = memory.bytes
        let arrays = Section.allCases
        guard block.load(fromByteOffset: Field.magic.rawValue, as: UInt64.self) == magic,
            block.load(fromByteOffset: Field.formatVersion.rawValue, as: UInt32.self) == formatVersion,
            block.load(fromByteOffset: Field.arrayCount.rawValue, as: UInt32.self) == arrays.count,
            sourceSHA256.withUnsafeBytes({ $0.elementsEqual(block[Field.sourceSHA256.rawValue..<Field.counts.rawValue]) })
        else { return nil }
        let counts = arrays.map { Int(truncatingIfNeeded: block.load(fromByteOffset: Field.counts.rawValue + 8 * $0.rawValue, as: UInt64.self)) }
        guard counts.allSatisfy({ (0..<(1 << 40)).contains($0) }),
            let image = TableImage(memory: memory, headerSize: headerSize, counts: counts, strides: arrays.map(\.stride)),
            checksum(UnsafeRawBufferPointer(rebasing: block[Field.sourceSHA256.rawValue...]))
                == block.load(fromByteOffset: Field.checksum.rawValue, as: UInt64.self),
            hasConsistentShape(counts, image)
        else { return nil }
        return VocabularyImage(image: image)
    }

    /// The array sizes agree with each other, as every image ``build(file:sourceSHA256:)``
    /// makes does; with the checksum this keeps every index the tables follow in bounds.
    private static func hasConsistentShape(_ counts: [Int], _ image: TableImage) -> Bool {
        func count(_ section: Section) -> Int { counts[section.rawValue] }
        func isTableSize(_ slots: Int) -> Bool { slots >= 16 && slots & (slots - 1) == 0 }
        let ranks = count(.tokenOffsets) - 1
        let offsets: UnsafeBufferPointer<UInt32> = Self.buffer(.tokenOffsets, in: image)
        let longStrings = (0..<max(ranks, 0)).count(where: { offsets[$0 + 1] &- offsets[$0] > 8 })
        guard ranks > 0, isTableSize(count(.rankSlots)), count(.rankSlots) >= 2 * ranks, count(.pairRanks) == pairCount,
            count(.shortRankFilter) == ByteStringTable.Arrays.filterWords(for: ranks - longStrings),
            count(.longRankFilter) == ByteStringTable.Arrays.filterWords(for: longStrings),
            offsets.first == 0, offsets.last.map(Int.init) == count(.tokenBytes),
            zip(offsets, offsets.dropFirst()).allSatisfy({ $0 < $1 }),
            count(.characterFlags) == 0 && count(.spannedPairs) == 0
                || count(.characterFlags) == PieceCuts.characterCount && count(.spannedPairs) == 1 << (PieceCuts.filterBits - 6)
        else { return false }
        if count(.trieSlots) == 0 {
            return [
                Section.oneByteNodes, .twoByteNodes, .threeByteNodes, .pairStepSlots, .charStepSlots, .midCharNodes, .tokenLinks, .mergeSlots, .mergeFilter,
                .splitFreeCharacters,
            ].allSatisfy { count($0) == 0 }
        }
        return isTableSize(count(.trieSlots)) && isTableSize(count(.mergeSlots)) && isTableSize(count(.pairStepSlots))
            && isTableSize(count(.charStepSlots))
            && count(.midCharNodes) > 0
            && count(.oneByteNodes) == 256 && count(.twoByteNodes) == 1 << 16 && count(.threeByteNodes) == 1 << 16
            && count(.mergeFilter) == 1 << (BacktrackingTables.mergeFilterBits - 6)
            && count(.splitFreeCharacters) == SplitFreeCharacters.wordCount
            && count(.tokenLinks) == ranks && tokenLinksAreInBounds(image, ranks: ranks)
    }

    /// Every token's links name tokens (or none, where they may), and its length is its length
    /// in the rank table.
    private static func tokenLinksAreInBounds(_ image: TableImage, ranks: Int) -> Bool {
        let links: UnsafeBufferPointer<BacktrackingTables.TokenLinks> = Self.buffer(.tokenLinks, in: image)
        let offsets: UnsafeBufferPointer<UInt32> = Self.buffer(.tokenOffsets, in: image)
        let limit = UInt32(truncatingIfNeeded: ranks)
        for rank in 0..<ranks {
            let link = links[rank]
            guard link.length == offsets[rank + 1] &- offsets[rank], link.splitLeft < limit, link.splitRight < limit,
                [link.shorterPrefix, link.lowestMergeAsLeft, link.lowestMergeAsRight]
                    .allSatisfy({ $0 < limit || $0 == BacktrackingTables.none })
            else { return false }
        }
        return true
    }

    /// Writes the image to `path` through a temporary file renamed into place, so readers see
    /// the old file or the whole new one; false if any step failed (nothing is left behind).
    func save(to path: String) -> Bool {
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        let block = image.memory.bytes
        var done = 0
        while done < block.count, let base = block.baseAddress {
            let wrote = write(descriptor, base + done, block.count - done)
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { break }
            done += wrote
        }
        let written = done == block.count && fsync(descriptor) == 0
        let closed = close(descriptor) == 0
        guard written, closed, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// A 64-bit checksum of `bytes`: four independent multiply-rotate lanes over 8-byte words.
    /// Every step is invertible in the word it takes, so any change confined to one word always
    /// changes the result; it guards against damage, not against forgery.
    private static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime1: UInt64 = 0x9E37_79B1_85EB_CA87, prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        @inline(__always) func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
            let mixed = lane &+ word &* prime2
            return (mixed << 31 | mixed >> 33) &* prime1
        }
        var a = prime1 &+ prime2, b = prime2, c: UInt64 = 0, d = 0 &- prime1
        let stripes = bytes.count / 32
        for stripe in 0..<stripes {
            let offset = stripe * 32
            a = round(a, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            b = round(b, bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            c = round(c, bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
            d = round(d, bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        }
        var hash = (a << 1 | a >> 63) &+ (b << 7 | b >> 57) &+ (c << 12 | c >> 52) &+ (d << 18 | d >> 46)
        for index in stripes * 32..<bytes.count { hash = round(hash, UInt64(bytes[index]) | 0x100) }
        hash = round(hash, UInt64(bytes.count))
        hash ^= hash >> 33
        hash &*= prime2
        return hash ^ (hash >> 29)
    }
}
