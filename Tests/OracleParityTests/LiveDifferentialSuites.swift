import TestSupport
import Testing

// The live differential suites: kimi-tok against the reference oracle, jinja2, tiktoken's regex
// and the engines' recorded behaviour in `../shared`, on the shared corpora and thousands of
// seeded inputs. Three suites, each skipped as a whole (with one line) where `../shared` or the
// oracle's venv is missing; the golden fixtures (`Tests/GoldenFixtureTests`) test the core there.
// Each file keeps its helpers in a namespace of its own (no tests: not a suite) and adds its tests
// to one of the three suites.

/// Encode, decode, byte-level names and the pre-tokenizer against tiktoken and the oracle.
@Suite("Live differential: the tokenizer against tiktoken and the oracle", .serialized, .needsOracle)
struct LiveTokenizerParity {}

/// Every family's rendering, Jinja and vLLM's preprocessing against transformers, jinja2 and vLLM.
@Suite("Live differential: chat formats, Jinja and vLLM against the reference", .serialized, .needsOracle)
struct LiveChatFormatParity {}

/// The checks and comparisons on prompts the reference rendered, for every family.
@Suite("Live differential: the inspector on reference prompts", .serialized, .needsOracle)
struct LiveInspectorParity {}
