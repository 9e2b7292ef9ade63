import Foundation
import KimiIO
import KimiTokenizer
import Testing

@Suite("Mapped input files")
struct MappedInputTests {
    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kimi-tok-mapped-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    @Test func regularFilesGiveTheirBytesExactly() throws {
        var generator = SystemRandomNumberGenerator()
        // Empty, shorter than a page, one page exactly, and spanning pages with a ragged end.
        for size in [0, 1, 4095, 4096, 4097, 200_003] {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = try temporaryFile(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let input = try MappedInput(path: path)
            // Compared as one Bool: a failure would otherwise print every byte.
            let mapped = Array(input.bytes)
            let read = try InputBytes.read(path)
            let same = mapped == bytes && mapped == read
            #expect(same, "size \(size): \(mapped.count) bytes mapped")
        }
    }

    @Test func bytesOutliveTheFile() throws {
        let path = try temporaryFile(Array("still here".utf8))
        let input = try MappedInput(path: path)
        try FileManager.default.removeItem(atPath: path)
        #expect(String(decoding: input.bytes, as: UTF8.self) == "still here")
    }

    @Test func unreadablePathsAreErrors() throws {
        let directory = FileManager.default.temporaryDirectory.path
        for (path, reason) in [("/no/such/file", "no such file"), (directory, "it is a directory")] {
            let error = #expect(throws: InputBytes.Unreadable.self) { try MappedInput(path: path) }
            #expect(error?.description == "cannot read \(path): \(reason)")
        }
    }

    @Test func otherFilesAreRead() throws {
        // Not a regular file: read to the end, not mapped.
        let input = try MappedInput(path: "/proc/self/status")
        #expect(String(decoding: input.bytes, as: UTF8.self).hasPrefix("Name:"))
    }
}
