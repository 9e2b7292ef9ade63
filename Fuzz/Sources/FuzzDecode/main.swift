import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzHarness.testOneInput(.decode, data, count)
}
