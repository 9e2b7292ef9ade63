import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToolCalls(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzHarness.testOneInput(.toolCalls, data, count)
}
