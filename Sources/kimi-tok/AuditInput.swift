import Foundation
import KimiIO

/// The lines of one audit input, read in blocks as they come: a file, standard input (`-`), or
/// a gzip or zstd file decompressed by the system's `gzip` or `zstd` in a child process (found by
/// the file's first bytes, not its name).
final class AuditInput {
    /// The name the records carry (`-` for stdin).
    let name: String
    private let handle: FileHandle
    private let decompressor: Process?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (bytes before it have none).
    private var searched = 0
    private var finished = false
    /// The 1-based number of the last line returned.
    private(set) var lineNumber = 0
    /// The longest line kept; a longer one is skipped as it is read, never held whole.
    let maxLineBytes: Int
    /// Bytes of an over-long line skipped so far (it ends at its newline).
    private var skipped = 0

    /// A line of the input.
    enum Line {
        case text([UInt8])
        /// A line longer than ``maxLineBytes``, of this many bytes, skipped.
        case tooLong(Int)
    }

    init(path: String, maxLineBytes: Int = 64 << 20) throws {
        name = path
        self.maxLineBytes = maxLineBytes
        if path == "-" {
            handle = .standardInput
            decompressor = nil
            return
        }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw KimiError(.notFound, "\(path): no such file, or it cannot be read")
        }
        let magic = [UInt8](file.readData(ofLength: 4))
        let tool: String? =
            magic.starts(with: [0x1F, 0x8B]) ? "gzip" : magic.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) ? "zstd" : nil
        guard let tool else {
            file.seek(toFileOffset: 0)
            handle = file
            decompressor = nil
            return
        }
        file.closeFile()
        guard let executable = Self.find(tool) else {
            throw KimiError(.unsupported, "\(path) is \(tool)-compressed and there is no \(tool) on PATH to read it (scripts/setup installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-dc", "--", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        handle = pipe.fileHandleForReading
        decompressor = process
    }

    /// The next line's text, skipping over-long lines (for inputs read whole, like references).
    func nextLine() throws -> [UInt8]? {
        while let line = try next() {
            if case let .text(bytes) = line { return bytes }
        }
        return nil
    }

    /// The next line without its newline, or `nil` at the end; a decompressor that failed
    /// throws.
    func next() throws -> Line? {
        while true {
            if let newline = buffer[max(start, searched)...].firstIndex(of: 0x0A) {
                lineNumber += 1
                if skipped > 0 || newline - start > maxLineBytes {
                    let length = skipped + newline - start
                    skipped = 0
                    start = newline + 1
                    searched = start
                    return .tooLong(length)
                }
                let line = Array(buffer[start..<newline])
                start = newline + 1
                searched = start
                return .text(line.last == 0x0D ? Array(line.dropLast()) : line)
            }
            if buffer.count - start > maxLineBytes {
                // Too long already: forget what is held and skip to the newline.
                skipped += buffer.count - start
                start = buffer.count
                searched = start
            }
            if finished {
                guard start < buffer.count || skipped > 0 else { return nil }
                lineNumber += 1
                if skipped > 0 {
                    let length = skipped + buffer.count - start
                    skipped = 0
                    start = buffer.count
                    return .tooLong(length)
                }
                let line = Array(buffer[start...])
                start = buffer.count
                return .text(line)
            }
            searched = buffer.count
            let block = handle.availableData
            if start > 0 {
                buffer.removeFirst(start)
                searched -= start
                start = 0
            }
            if block.isEmpty {
                finished = true
                if let decompressor {
                    decompressor.waitUntilExit()
                    if decompressor.terminationStatus != 0 {
                        throw KimiError(
                            .badInput,
                            "\(name): \(decompressor.executableURL?.lastPathComponent ?? "decompressor") failed (exit \(decompressor.terminationStatus)): the file is damaged or cut short"
                        )
                    }
                }
            } else {
                buffer += block
            }
        }
    }

    /// The inputs `patterns` name: `-`, files, and glob patterns expanded (sorted).
    static func paths(_ patterns: [String]) throws -> [String] {
        var paths: [String] = []
        for pattern in patterns {
            guard pattern != "-", pattern.contains(where: { "*?[".contains($0) }) else {
                paths.append(pattern)
                continue
            }
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { throw KimiError(.notFound, "\(pattern): no file matches") }
            for index in 0..<Int(matches.gl_pathc) {
                if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
            }
        }
        return paths
    }

    private static func find(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
