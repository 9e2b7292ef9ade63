import CPCRE2

/// A compiled PCRE2 pattern over UTF-8 bytes, JIT-compiled when the library supports it.
///
/// Immutable after creation: the compiled code is only read while matching, and every match
/// call allocates its own match data and JIT stack, so one instance is safe to share
/// between threads (PCRE2 documents compiled patterns as thread-safe in this use).
final class PCRE2Regex: @unchecked Sendable {
    private let code: OpaquePointer
    /// Whether the pattern was JIT-compiled.
    let isJIT: Bool

    /// Compiles `pattern` with `PCRE2_UTF`; the subject is trusted to be valid UTF-8.
    init(_ pattern: String) throws(PreTokenizerError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(
                buffer.baseAddress, buffer.count, UInt32(PCRE2_UTF),
                &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw .patternDoesNotCompile(message: Self.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// Calls `body` with the byte range of each successive non-overlapping match in `subject`.
    func forEachMatch(
        in subject: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>) -> Void
    ) throws(PreTokenizerError) {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else {
            throw .outOfMemory
        }
        defer { pcre2_match_data_free_8(matchData) }
        // The JIT runs on a small machine stack by default; a match that needs more is retried
        // once with a large heap stack, which is only allocated then.
        var largeStack: LargeJITStack?
        defer { largeStack?.free() }

        guard let base = subject.baseAddress else { return }
        guard let ovector = pcre2_get_ovector_pointer_8(matchData) else { throw .outOfMemory }
        var offset = 0
        while offset < subject.count {
            var status = match(base, subject.count, offset, matchData, largeStack?.context)
            if status == PCRE2_ERROR_JIT_STACKLIMIT, largeStack == nil {
                largeStack = try LargeJITStack()
                status = match(base, subject.count, offset, matchData, largeStack?.context)
            }
            if status == PCRE2_ERROR_NOMATCH { return }
            guard status >= 0 else { throw .matchFailed(message: Self.message(for: status)) }
            let start = ovector[0]
            let end = ovector[1]
            // No alternative of the Kimi pattern matches the empty string; guard anyway.
            guard end > start else { throw .matchFailed(message: "empty match at byte \(start)") }
            body(start..<end)
            offset = end
        }
    }

    @inline(__always)
    private func match(
        _ subject: UnsafePointer<UInt8>, _ length: Int, _ offset: Int,
        _ matchData: OpaquePointer, _ context: OpaquePointer?
    ) -> Int32 {
        isJIT
            ? pcre2_jit_match_8(code, subject, length, offset, 0, matchData, context)
            : pcre2_match_8(code, subject, length, offset, UInt32(PCRE2_NO_UTF_CHECK), matchData, context)
    }

    /// A match context with a 256 MiB JIT stack (memory is only touched as it is used).
    private struct LargeJITStack {
        let context: OpaquePointer
        let stack: OpaquePointer

        init() throws(PreTokenizerError) {
            guard let context = pcre2_match_context_create_8(nil) else { throw .outOfMemory }
            guard let stack = pcre2_jit_stack_create_8(32 * 1024, 256 * 1024 * 1024, nil) else {
                pcre2_match_context_free_8(context)
                throw .outOfMemory
            }
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
            self.context = context
            self.stack = stack
        }

        func free() {
            pcre2_jit_stack_free_8(stack)
            pcre2_match_context_free_8(context)
        }
    }

    private static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return length > 0
            ? String(decoding: buffer[..<Int(length)], as: UTF8.self)
            : "PCRE2 error \(errorCode)"
    }
}
