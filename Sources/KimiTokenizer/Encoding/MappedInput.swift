import KimiIO

/// The bytes of a whole input, for work that reads them from several threads.
///
/// A regular file is mapped read-only: nothing is copied, and its pages are read on first touch
/// by whichever thread touches them, so work starts without first copying the whole file.
/// Anything else (a pipe, stdin, `/dev/stdin`) is read with ``InputBytes/read(_:)`` and copied
/// into place once.
///
/// A mapped file that another process truncates while it is being read ends the process with
/// `SIGBUS`, as with any tool that maps its input.
public final class MappedInput: @unchecked Sendable {
    // Sendable: `memory` is never written after `init`, and `bytes` points into it.
    private let memory: RawMemory
    /// The input's bytes, valid while `self` is alive.
    public let bytes: UnsafeBufferPointer<UInt8>

    /// Maps or reads `path` (`-` for stdin).
    public init(path: String) throws(InputBytes.Unreadable) {
        if path != "-", let mapped = RawMemory(mappingFileAt: path) {
            memory = mapped
        } else {
            memory = Self.copy(try InputBytes.read(path))
        }
        bytes = memory.buffer(of: UInt8.self, at: 0, count: memory.byteCount)
    }

    private static func copy(_ bytes: [UInt8]) -> RawMemory {
        RawMemory(byteCount: bytes.count) { memory in _ = memory.initializeMemory(as: UInt8.self, from: bytes) }
    }
}
