import Foundation
import KimiChatTemplate
import KimiIO
import Testing

/// The K2.5 TypeScript tool declaration, one rule per case. The expected texts in
/// `Fixtures/tool-declarations.json` were generated once by the reference encoder
/// (`../shared/oracle/kimi_tools_ts.py`, after `sort_keys_deep`) and are committed, so these
/// tests run without the Python stack; the differential suite covers thousands more.
@Suite("K2.5 TypeScript tool declarations")
struct ToolDeclarationTSTests {
    static let fixtures: [(name: String, tools: [Value], expected: String?)] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tool-declarations.json")
        guard let data = try? Data(contentsOf: url), case let .dict(root)? = try? JSONReader.parseValue([UInt8](data)) else { return [] }
        return root.pairs.compactMap { key, value in
            guard case let .dict(entry) = value, case let .list(tools)? = entry[.string("tools")] else { return nil }
            if case let .string(text)? = entry[.string("ts")] { return (key.pythonString, tools.items, text) }
            return (key.pythonString, tools.items, nil)
        }
    }()

    @Test func fixturesAreThere() {
        #expect(Self.fixtures.count == 13)
    }

    @Test(
        "each rule gives the reference text, or fails where the reference raises",
        arguments: Self.fixtures.map(\.name))
    func rule(name: String) throws {
        let fixture = try #require(Self.fixtures.first { $0.name == name })
        let tools = fixture.tools.map(ToolDeclarationTS.sortingKeysDeep)
        if let expected = fixture.expected {
            #expect(try ToolDeclarationTS.declaration(of: tools) == expected)
        } else {
            #expect(throws: ToolDeclarationTS.Unsupported.self) { try ToolDeclarationTS.declaration(of: tools) }
        }
    }

    @Test func keysAreSortedByCodePointRecursivelyAndListsKeepTheirOrder() throws {
        let value = try JSONReader.parseValue(Array(#"{"é": 1, "b": [{"z": 1, "a": 2}, 3], "Z": {"y": 1, "x": 2}}"#.utf8))
        let sorted = ToolDeclarationTS.sortingKeysDeep(value)
        #expect(sorted.pythonRepr == "{'Z': {'x': 2, 'y': 1}, 'b': [{'a': 2, 'z': 1}, 3], 'é': 1}")
    }

    @Test func noFunctionToolGivesNothing() throws {
        let tools = try JSONReader.parseValue(Array(#"[{"type": "retrieval"}]"#.utf8))
        guard case let .list(list) = tools else { return }
        #expect(try ToolDeclarationTS.declaration(of: list.items) == "")
    }
}
