import Foundation

/// Reads whole input files, pipes included (`/dev/stdin`, `<(command)`), or stdin for `-`.
public enum InputBytes {
    /// A path that cannot be read, and why.
    public struct Unreadable: ClassifiedError, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "cannot read \(path): \(reason)" }
        /// A file that is not there is not found; one that cannot be read is bad input.
        public var errorKind: KimiError.Kind { reason == "no such file" ? .notFound : .badInput }
    }

    public static func read(_ path: String) throws(Unreadable) -> [UInt8] {
        if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw Unreadable(path: path, reason: isDirectory.boolValue ? "it is a directory" : "not readable")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw Unreadable(path: path, reason: "read failed")
        }
    }
}
