import KimiChatTemplate
import KimiIO
import Testing

@Suite("Chat requests and JSON input")
struct ChatRequestTests {
    func read(_ json: String, tools: String? = nil) throws -> ChatRequest {
        try ChatRequest.read(messagesJSON: Array(json.utf8), toolsJSON: tools.map { Array($0.utf8) })
    }

    @Test func arrayOrRequestObject() throws {
        #expect(try read(#"[{"role": "user", "content": "hi"}]"#).messages.count == 1)
        let request = try read(#"{"model": "kimi", "messages": [{"role": "user", "content": null}], "tools": [{"type": "function"}]}"#)
        #expect(request.tools?.count == 1)
        #expect(try read(#"[{"role": "user", "content": "x"}]"#, tools: #"{"tools": []}"#).tools?.count == 0)
    }

    @Test func unknownFieldsAndKeyOrderSurvive() throws {
        let request = try read(#"[{"role": "assistant", "zeta": 1, "content": [{"type": "text", "text": "a"}], "alpha": {"b": 1, "a": 2}}]"#)
        #expect(request.messages[0].pythonRepr == "{'role': 'assistant', 'zeta': 1, 'content': [{'type': 'text', 'text': 'a'}], 'alpha': {'b': 1, 'a': 2}}")
    }

    @Test func badShapesAreNamed() {
        #expect(
            throws: KimiError(
                .badInput, "message 1 has unknown role 'robot' (expected one of assistant, developer, function, system, tool, user)")
        ) {
            try read(#"[{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]"#)
        }
        #expect(throws: KimiError(.badInput, "message 0 has no string 'role'")) { try read(#"[{"content": "a"}]"#) }
        #expect(throws: KimiError(.badInput, "message 0 content is int; expected a string, an array of parts or null")) {
            try read(#"[{"role": "user", "content": 5}]"#)
        }
        #expect(throws: KimiError(.badInput, "message 0 tool call 0 has no 'function' object")) {
            try read(#"[{"role": "assistant", "tool_calls": [{"id": "x"}]}]"#)
        }
        #expect(throws: KimiError.self) { try read(#""just a string""#) }
    }

    @Test func malformedJSONNamesLineAndColumn() {
        #expect(throws: JSONReader.SyntaxError(message: "expected ',' or '}' in an object", offset: 20, line: 2, column: 4)) {
            try read("[{\"role\": \"user\"\n   \"content\": 1}]")
        }
        #expect(throws: JSONReader.SyntaxError.self) { try read("[") }
        #expect(throws: JSONReader.SyntaxError.self) { try read("[1] 2") }
    }

    @Test func jsonKeepsPythonNumberTypes() throws {
        let value = try JSONReader.parseValue(Array(#"[1, 1.0, 1e2, -0, 123456789012345678901234567890, "\ud83d\ude00"]"#.utf8))
        #expect(value.pythonRepr == "[1, 1.0, 100.0, 0, 123456789012345678901234567890, '😀']")
    }

    @Test func jsonUnicodeEscapesTakeExactlyFourHexDigits() throws {
        #expect(try JSONReader.parseValue(Array(#""a\u0041b\u00e9\u00E9""#.utf8)).pythonRepr == "'aAbéé'")
        for bad in [#""\u+041""#, #""\u-041""#, #""\u004""#, #""\u00g1""#, #""\u 041""#] {
            #expect(throws: JSONReader.SyntaxError.self, "\(bad)") { try JSONReader.parseValue(Array(bad.utf8)) }
        }
    }
}
