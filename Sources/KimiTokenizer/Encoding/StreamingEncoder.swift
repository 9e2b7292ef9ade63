import Foundation
import KimiIO

/// Encodes a file of any size in `hf` mode with bounded memory.
///
/// `hf` mode cuts text into 400,000-code-point chunks before anything else and encodes each
/// chunk on its own, so reading the file one such chunk at a time gives exactly the IDs of
/// encoding it whole. The file is first checked to be valid UTF-8 (also streaming), so an error
/// is reported before any ID is produced.
public struct StreamingEncoder: Sendable {
    public let tokenizer: KimiTokenizer
    /// Bytes read from the file at a time.
    public var readSize = 1 << 20

    public init(tokenizer: KimiTokenizer) { self.tokenizer = tokenizer }

    /// The input file cannot be opened.
    /// Whether `path` is a regular file, which can be read twice (a pipe cannot).
    public static func canStream(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    /// Checks `path` is valid UTF-8, then calls `body` with the IDs of each chunk in order and
    /// `progress` with the bytes consumed so far.
    public func encode(
        file path: String, progress: (Int) -> Void = { _ in },
        _ body: ([Int]) throws -> Void
    ) throws {
        try validate(path)
        var pending: [UInt8] = []
        var consumed = 0
        try readBlocks(path) { block in
            pending.append(contentsOf: block)
            while let cut = Self.chunkEnd(pending) {
                try pending.withUnsafeBufferPointer { buffer in
                    try body(try tokenizer.encode(utf8: UnsafeBufferPointer(rebasing: buffer[..<cut]), mode: .hf))
                }
                pending.removeSubrange(..<cut)
                consumed += cut
                progress(consumed)
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBufferPointer { try body(try tokenizer.encode(utf8: $0, mode: .hf)) }
            progress(consumed + pending.count)
        }
    }

    /// The byte length of the first 400,000 scalars of `bytes`, if it holds that many whole ones.
    private static func chunkEnd(_ bytes: [UInt8]) -> Int? {
        var scalars = 0
        var index = 0
        while index < bytes.count {
            if scalars == HFChunker.maximumChunkScalars { return index }
            let length = UTF8Scalars.length(leadingByte: bytes[index])
            if index + length > bytes.count { return nil }
            index += length
            scalars += 1
        }
        return scalars == HFChunker.maximumChunkScalars ? index : nil
    }

    private func validate(_ path: String) throws {
        var carry: [UInt8] = []
        var offset = 0
        try readBlocks(path) { block in
            // Validate up to the last whole sequence; carry a cut one into the next block.
            var bytes = carry + block
            var end = bytes.count
            var back = 0
            while back < 3, end - back - 1 >= 0, bytes[end - back - 1] & 0xC0 == 0x80 { back += 1 }
            if end - back - 1 >= 0, bytes[end - back - 1] >= 0xC0,
                UTF8Scalars.length(leadingByte: bytes[end - back - 1]) > back + 1
            {
                end = end - back - 1
            }
            if let bad = UTF8Input.firstInvalidOffset(Array(bytes[..<end])) {
                throw InvalidUTF8Error(byteOffset: offset + bad, byte: bytes[bad])
            }
            carry = Array(bytes[end...])
            offset += end
            bytes.removeAll()
        }
        if let bad = UTF8Input.firstInvalidOffset(carry) {
            throw InvalidUTF8Error(byteOffset: offset + bad, byte: carry[bad])
        }
    }

    private func readBlocks(_ path: String, _ body: ([UInt8]) throws -> Void) throws {
        guard Self.canStream(path), let handle = FileHandle(forReadingAtPath: path) else {
            throw KimiError(.badInput, "cannot read \(path): not a readable regular file")
        }
        defer { try? handle.close() }
        while true {
            let data: Data
            do {
                data = try handle.read(upToCount: readSize) ?? Data()
            } catch {
                throw KimiError(.badInput, "cannot read \(path): not a readable regular file")
            }
            if data.isEmpty { return }
            try body([UInt8](data))
        }
    }
}
