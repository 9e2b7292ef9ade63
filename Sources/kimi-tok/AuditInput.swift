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

    init(path: String) throws {
        name = path
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

    /// The next line without its newline, or `nil` at the end; a decompressor that failed
    /// throws.
    func nextLine() throws -> [UInt8]? {
        while true {
            if let newline = buffer[max(start, searched)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                searched = start
                lineNumber += 1
                return line.last == 0x0D ? Array(line.dropLast()) : line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                lineNumber += 1
                return line
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
