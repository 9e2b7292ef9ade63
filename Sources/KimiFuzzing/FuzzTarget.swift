/// The fuzz targets. Each takes arbitrary bytes, must never crash or hang on them, and throws
/// ``FuzzInvariantViolation`` when a property it checks does not hold.
///
/// The libFuzzer executables in `Fuzz/` call ``run(_:)`` from `LLVMFuzzerTestOneInput`, and the
/// regression tests replay every saved input through the same function without libFuzzer.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Encode arbitrary bytes (as UTF-8 where valid) in every mode and with both pre-tokenizers.
    case encode
    /// Decode arbitrary ID arrays, and parse them as an engine's ID list.
    case decode
    /// The JSON readers: values, chat requests, tools, engine IDs, the ID normaliser.
    case json
    /// The Jinja lexer, parser and interpreter on arbitrary template text.
    case template
    /// The tool-call parser and report on arbitrary model output.
    case toolCalls = "tool-calls"

    /// Runs the target on one input.
    public func run(_ bytes: UnsafeRawBufferPointer, fixtures: FuzzFixtures) throws(FuzzInvariantViolation) {
        switch self {
        case .encode: try EncodeFuzzTarget(fixtures: fixtures).run(Array(bytes))
        case .decode: try DecodeFuzzTarget(fixtures: fixtures).run(Array(bytes))
        case .json: try JSONFuzzTarget(fixtures: fixtures).run(Array(bytes))
        case .template: try TemplateFuzzTarget(fixtures: fixtures).run(Array(bytes))
        case .toolCalls: try ToolCallFuzzTarget(fixtures: fixtures).run(Array(bytes))
        }
    }
}
