#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One block of memory that lookup tables point into, released when the last reference goes:
/// either allocated and filled once, or a file (a vocabulary cache, an input) mapped read-only.
/// Never written after `init` returns, so it can be shared between threads.
final class RawMemory: @unchecked Sendable {
    /// The first byte, aligned to 64 bytes.
    let base: UnsafeRawPointer
    /// The size in bytes.
    let byteCount: Int
    private let isMapped: Bool

    /// Allocates `byteCount` zeroed bytes and lets `fill` write them.
    init(byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        fill(UnsafeMutableRawBufferPointer(start: memory, count: byteCount))
        base = UnsafeRawPointer(memory)
        self.byteCount = byteCount
        isMapped = false
    }

    /// Maps the whole file at `path` read-only, or `nil` when it cannot be opened, is not a
    /// regular file, is empty, or cannot be mapped.
    init?(mappingFileAt path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return nil }
        let byteCount = Int(status.st_size)
        let mapped = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        base = UnsafeRawPointer(mapped)
        self.byteCount = byteCount
        isMapped = true
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// The bytes as a buffer.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: byteCount) }

    /// `count` elements of `type` starting `offset` bytes in; the caller keeps `self` alive.
    func buffer<T>(of type: T.Type, at offset: Int, count: Int) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: (base + offset).bindMemory(to: T.self, capacity: count), count: count)
    }
}
