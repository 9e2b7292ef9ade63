// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kimi-tok",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KimiIO", targets: ["KimiIO"]),
        .library(name: "KimiTokenizer", targets: ["KimiTokenizer"]),
        .library(name: "KimiJinja", targets: ["KimiJinja"]),
        .library(name: "KimiChatTemplate", targets: ["KimiChatTemplate"]),
        .library(name: "KimiInspector", targets: ["KimiInspector"]),
        .library(name: "KimiTesting", targets: ["KimiTesting"]),
        .library(name: "KimiService", targets: ["KimiService"]),
        .executable(name: "kimi-tok", targets: ["kimi-tok"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // PCRE2 (8-bit code units) from the system, found through pkg-config.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // SHA-256 from the system's libcrypto (OpenSSL), found through pkg-config.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // A cache prefetch hint, which Swift has no spelling for.
        .target(name: "CKimiPrefetch"),
        // Atomic loads, stores and fences on raw memory (the shared piece cache's locks).
        .target(name: "CKimiAtomics"),
        // Reading whole inputs: files, pipes, and stdin for `-`.
        .target(name: "KimiIO"),
        // Unicode classes of every scalar (the Kimi pattern's, Python's `isprintable`), generated.
        .target(name: "KimiUnicode"),
        // The core tokenizer: vocabulary, pre-tokenizer, byte-pair encoding, special tokens.
        .target(
            name: "KimiTokenizer",
            dependencies: [
                "KimiIO",
                "KimiUnicode",
                "CPCRE2",
                "CKimiPrefetch",
                "CKimiAtomics",
                "CLibCrypto",
            ]
        ),
        // Jinja with Python semantics: the compiler (lexer, parser, syntax tree with spans), the
        // runtime (interpreter under a budget) and Python's values, filters and tests.
        .target(
            name: "KimiJinja",
            dependencies: ["KimiIO", "KimiUnicode", .product(name: "BigInt", package: "BigInt")]
        ),
        // Chat formats: requests, one folder per model family and per engine, the renderer.
        .target(
            name: "KimiChatTemplate",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiJinja"]
        ),
        // The inspector: checks, compare and diff, tool calls.
        .target(
            name: "KimiInspector",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate"]
        ),
        // The HTTP client of `compare --engine-url`: an engine's /tokenize over NIO.
        .target(
            name: "KimiEngineClient",
            dependencies: [
                "KimiIO", "KimiChatTemplate", "KimiInspector",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Assertions for users' own tests (Swift Testing or XCTest).
        .target(
            name: "KimiTesting",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        // The fuzz targets' properties, shared by the libFuzzer executables in Fuzz/ (which
        // build these sources as their own module, FuzzProperties) and the regression tests
        // that replay saved inputs. Not a product.
        .target(
            name: "KimiFuzzing",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        // The HTTP service behind `kimi-tok serve`: engine-shaped /tokenize and /detokenize,
        // kimi-tok's own endpoints, and the inspector page embedded in the binary.
        .target(
            name: "KimiService",
            dependencies: [
                "KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The page's parts, composed into the source by scripts/generate-page.
            exclude: ["Page/Assets"]
        ),
        // In-process benchmarks behind `kimi-tok bench`; not a product.
        .target(
            name: "KimiBenchmarks",
            dependencies: ["KimiTokenizer"],
            path: "Benchmarks/KimiBenchmarks"
        ),
        // The command-line tool: parses arguments and prints; no logic of its own.
        .executableTarget(
            name: "kimi-tok",
            dependencies: [
                "KimiIO",
                "KimiBenchmarks",
                "KimiTokenizer",
                "KimiChatTemplate",
                "KimiInspector",
                "KimiEngineClient",
                "KimiService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Paths outside the package and the traits that skip a suite when they are missing.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "KimiTokenizerTests",
            dependencies: ["KimiIO", "KimiTokenizer"]
        ),
        .testTarget(
            name: "KimiChatTemplateTests",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KimiInspectorTests",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        .testTarget(
            name: "OracleParityTests",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector", "KimiTesting", "TestSupport"],
            exclude: ["pretokenizer_probe.py"]
        ),
        .testTarget(
            name: "GoldenFixtureTests",
            dependencies: ["KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiInspector", "TestSupport"]
        ),
        .testTarget(
            name: "KimiFuzzingTests",
            dependencies: ["KimiFuzzing", "TestSupport"]
        ),
        .testTarget(
            name: "KimiTokCLITests",
            dependencies: ["kimi-tok", "KimiIO", "KimiTokenizer", "KimiChatTemplate", "KimiTesting", "TestSupport"]
        ),
    ]
)
