#if canImport(Glibc)
    import Glibc
#endif

/// Asks the kernel to back a large buffer with huge pages (2 MB on x86-64), which takes 512
/// times fewer page faults to fill than 4 KB pages. Linux only; elsewhere, and when the
/// kernel's transparent huge pages are off, the buffer keeps its small pages.
enum HugePages {
    /// The huge page size that the advice is aligned to.
    static let size = 2 << 20

    /// Advises huge pages for the whole huge pages inside `memory`; bytes before the first
    /// boundary and after the last keep small pages. Contents are unchanged either way.
    static func advise(_ memory: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc)
            guard let start = memory.baseAddress else { return }
            let first = (Int(bitPattern: start) + size - 1) / size * size
            let end = (Int(bitPattern: start) + memory.count) / size * size
            guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(aligned, end - first, MADV_HUGEPAGE)
        #endif
    }
}
