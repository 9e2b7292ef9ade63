import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzHarness.testOneInput(.template, data, count)
}
