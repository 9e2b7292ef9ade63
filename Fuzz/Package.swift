// swift-tools-version:5.4
// libFuzzer executables, one per fuzz target. Build and run them with scripts/fuzz; the
// properties they check live in the KimiFuzzing library of the main package. Tools version 5.4
// on purpose: from 5.5 on, SwiftPM links executables with their own `main`, which would take the
// place of libFuzzer's.
import PackageDescription

let targets = ["FuzzEncode", "FuzzDecode", "FuzzJSON", "FuzzTemplate", "FuzzToolCalls"]

let package = Package(
    name: "kimi-tok-fuzz",
    platforms: [.macOS(.v10_15)],
    dependencies: [.package(name: "kimi-tok", path: "..")],
    targets: targets.map { name in
        .executableTarget(name: name, dependencies: [.product(name: "KimiFuzzing", package: "kimi-tok")])
    }
)
