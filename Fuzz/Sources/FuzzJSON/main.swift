import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzHarness.testOneInput(.json, data, count)
}
