import Foundation

/// The body of a libFuzzer entry point: runs `target` and aborts on a violated property, so
/// that libFuzzer saves the input as a crash.
///
///     @_cdecl("LLVMFuzzerTestOneInput")
///     public func fuzz(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
///         FuzzHarness.testOneInput(.encode, data, count)
///     }
public enum FuzzHarness {
    /// Loaded on the first input; a missing vocabulary stops the run with exit code 2.
    private static let fixtures: FuzzFixtures = {
        do {
            return try FuzzFixtures.load()
        } catch {
            report("fuzz harness: cannot load the fixtures: \(error)")
            exit(2)
        }
    }()

    public static func testOneInput(_ target: FuzzTarget, _ data: UnsafeRawPointer?, _ count: Int) -> CInt {
        do {
            try target.run(UnsafeRawBufferPointer(start: count == 0 ? nil : data, count: count), fixtures: fixtures)
        } catch {
            report("fuzz target '\(target.rawValue)': \(error.description)")
            abort()
        }
        return 0
    }

    private static func report(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
