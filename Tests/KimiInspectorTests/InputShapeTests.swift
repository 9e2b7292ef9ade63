import Foundation
import KimiChatTemplate
import KimiInspector
import Testing

@Suite("Engine ID shapes and ID normalization")
struct InputShapeTests {
    func ids(_ text: String) throws -> [Int] { try EngineTokenIDs.parse(Array(text.utf8)) }

    @Test func everyEngineShape() throws {
        #expect(try ids("[1, 2, 3]") == [1, 2, 3])
        #expect(try ids(#"{"count": 2, "max_model_len": 8192, "tokens": [4, 5]}"#) == [4, 5])
        #expect(try ids(#"{"tokens": [{"id": 6, "piece": "a"}, {"id": 7, "piece": "b"}]}"#) == [6, 7])
        #expect(try ids(#"{"prompt_token_ids": [8], "choices": []}"#) == [8])
        #expect(try ids(#"{"choices": [{"prompt_token_ids": [9, 10], "token_ids": [11]}]}"#) == [9, 10])
        #expect(throws: KimiError.self) { try ids(#"{"choices": [{"token_ids": [11, 12]}]}"#) }
        #expect(try EngineTokenIDs.outputs(Array(#"{"choices": [{"token_ids": [11, 12]}]}"#.utf8)) == [[11, 12]])
        #expect(try ids(#"{"meta_info": {"input_token_logprobs": [[null, 13, "a"], [-0.5, 14, null]]}}"#) == [13, 14])
        #expect(try ids("15, 16\n17 18") == [15, 16, 17, 18])
        #expect(throws: KimiError.self) { try ids(#"{"text": "no ids"}"#) }
        #expect(throws: KimiError.self) { try ids("[1, -2]") }
        #expect(throws: KimiError.self) { try ids("1 two") }
    }

    static let request = """
        {"model": "kimi-k2",  "messages": [
          {"role": "user", "content": "hi"},
          {"role": "assistant", "content": null, "tool_calls": [
            {"id": "search:2", "type": "function", "function": {"name": "search", "arguments": "{}"}},
            {"id": "call_8f2e", "type": "function", "function": {"name": "fetch", "arguments": {"u": 1}}}]},
          {"role": "tool", "tool_call_id": "search:2", "content": "r1"},
          {"role": "tool", "tool_call_id": "call_8f2e", "content": "r2"},
          {"role": "assistant", "content": "", "tool_calls": [{"id": "functions.search:2", "type": "function", "function": {"name": "search", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "functions.search:2", "content": "r3"}]}
        """

    @Test func normalizeIDsIsByteStableAndIdempotent() throws {
        let result = try ToolCallIDNormalizer.normalize(Array(Self.request.utf8))
        let expected = Self.request
            .replacingOccurrences(of: "\"search:2\"", with: "\"functions.search:0\"")
            .replacingOccurrences(of: "\"call_8f2e\"", with: "\"functions.fetch:1\"")
        #expect(String(decoding: result.json, as: UTF8.self) == expected)
        #expect(result.renamed.map(\.new) == ["functions.search:0", "functions.fetch:1", "functions.search:2"])
        let again = try ToolCallIDNormalizer.normalize(result.json)
        #expect(again.json == result.json)
    }

    /// With a duplicate key the later value wins, so that is the one rewritten.
    @Test func normalizeIDsRewritesTheValueADuplicateKeyKeeps() throws {
        let request = #"""
            [{"role": "assistant", "tool_calls": [{"id": "a:0", "function": {"name": "f"}}],
              "tool_calls": [{"id": "b:1", "function": {"name": "g"}}]},
             {"role": "tool", "tool_call_id": "x", "tool_call_id": "b:1", "content": "ok"}]
            """#
        let result = try ToolCallIDNormalizer.normalize(Array(request.utf8))
        let expected = request.replacingOccurrences(of: "\"b:1\"", with: "\"functions.g:0\"")
        #expect(String(decoding: result.json, as: UTF8.self) == expected)
        #expect(try ToolCallIDNormalizer.normalize(result.json).json == result.json)
    }
}
