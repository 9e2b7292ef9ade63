// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kimi-tok",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KimiTokenizer", targets: ["KimiTokenizer"]),
        .library(name: "KimiChatTemplate", targets: ["KimiChatTemplate"]),
        .library(name: "KimiInspector", targets: ["KimiInspector"]),
        .library(name: "KimiTesting", targets: ["KimiTesting"]),
        .library(name: "KimiFuzzing", targets: ["KimiFuzzing"]),
        .executable(name: "kimi-tok", targets: ["kimi-tok"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // PCRE2 (8-bit code units) from the system, found through pkg-config.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // A cache prefetch hint, which Swift has no spelling for.
        .target(name: "CKimiPrefetch"),
        // The core tokenizer: vocabulary, pre-tokenizer, byte-pair encoding, special tokens.
        .target(
            name: "KimiTokenizer",
            dependencies: [
                "CPCRE2",
                "CKimiPrefetch",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Chat templates: a Jinja interpreter with Python semantics, messages, the renderer.
        .target(
            name: "KimiChatTemplate",
            dependencies: ["KimiTokenizer"]
        ),
        // The inspector: checks, compare and diff, tool calls.
        .target(
            name: "KimiInspector",
            dependencies: ["KimiTokenizer", "KimiChatTemplate"]
        ),
        // Assertions for users' own tests (Swift Testing or XCTest).
        .target(
            name: "KimiTesting",
            dependencies: ["KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        // The fuzz targets' properties, shared by the libFuzzer executables in Fuzz/ and the
        // regression tests that replay saved inputs.
        .target(
            name: "KimiFuzzing",
            dependencies: ["KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        // The command-line tool: parses arguments and prints; no logic of its own.
        .executableTarget(
            name: "kimi-tok",
            dependencies: [
                "KimiTokenizer",
                "KimiChatTemplate",
                "KimiInspector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KimiTokenizerTests",
            dependencies: ["KimiTokenizer"]
        ),
        .testTarget(
            name: "KimiChatTemplateTests",
            dependencies: ["KimiChatTemplate"]
        ),
        .testTarget(
            name: "KimiInspectorTests",
            dependencies: ["KimiTokenizer", "KimiChatTemplate", "KimiInspector"]
        ),
        .testTarget(
            name: "OracleParityTests",
            dependencies: ["KimiTokenizer", "KimiChatTemplate", "KimiInspector", "KimiTesting"],
            exclude: ["pretokenizer_probe.py"]
        ),
        .testTarget(
            name: "KimiFuzzingTests",
            dependencies: ["KimiFuzzing"]
        ),
        .testTarget(
            name: "KimiTokCLITests",
            dependencies: ["kimi-tok", "KimiTokenizer"]
        ),
    ]
)
