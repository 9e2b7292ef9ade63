import Foundation
import Testing

/// The inspector page is written as real files (`Sources/KimiService/Page/Assets`: HTML, CSS,
/// JavaScript, JSON) and compiled into the binary as `InspectorPageDocument.swift`, which
/// `scripts/generate-page` makes from them: the committed Swift must be exactly what the assets
/// make, and the server must serve it.
@Suite("The inspector page's assets")
struct InspectorPageAssetsTests {
    @Test func theCompiledPageIsWhatTheAssetsMake() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.checkoutRoot.appendingPathComponent("scripts/generate-page").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(message)")
    }

    @Test func theAssetsAreFilesOfTheirKind() throws {
        let assets = CLI.checkoutRoot.appendingPathComponent("Sources/KimiService/Page/Assets")
        let html = try String(contentsOf: assets.appendingPathComponent("inspector.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains(#"<link rel="stylesheet" href="inspector.css">"#))
        let examples = try JSONSerialization.jsonObject(with: Data(contentsOf: assets.appendingPathComponent("examples.json"))) as? [String: Any]
        #expect(examples?.keys.sorted() == ["compare-missing-generation-prompt", "content-list-leak", "good-k2", "k3-request", "partial-utf8"])
    }
}
