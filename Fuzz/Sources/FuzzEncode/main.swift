import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEncode(_ data: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzHarness.testOneInput(.encode, data, count)
}
