// swift-tools-version:5.4
// libFuzzer executables, one per fuzz target. Build and run them with scripts/fuzz. The
// properties they check are the main package's KimiFuzzing sources (Sources/FuzzProperties is a
// link to them), built here as a module of this package, so the main package need not publish
// them as a product. Tools version 5.4 on purpose: from 5.5 on, SwiftPM links executables with
// their own `main`, which would take the place of libFuzzer's.
import PackageDescription

let targets = ["FuzzEncode", "FuzzDecode", "FuzzJSON", "FuzzTemplate", "FuzzToolCalls"]

let package = Package(
    name: "kimi-tok-fuzz",
    platforms: [.macOS(.v10_15)],
    dependencies: [.package(name: "kimi-tok", path: "..")],
    targets: [
        .target(
            name: "FuzzProperties",
            dependencies: [
                .product(name: "KimiIO", package: "kimi-tok"),
                .product(name: "KimiTokenizer", package: "kimi-tok"),
                .product(name: "KimiChatTemplate", package: "kimi-tok"),
                .product(name: "KimiInspector", package: "kimi-tok"),
            ]
        )
    ] + targets.map { name in .executableTarget(name: name, dependencies: ["FuzzProperties"]) }
)
