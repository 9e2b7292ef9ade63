import Foundation
import KimiChatTemplate
import KimiIO
import Testing

/// vLLM's preprocessing, one rule at a time (the replay of vLLM's own renders is in
/// `VLLMReplayTests`).
@Suite("vLLM preprocessing rules")
struct VLLMPreprocessingTests {
    func request(_ json: String) throws -> ChatRequest { try ChatRequest.read(messagesJSON: Array(json.utf8)) }

    func messages(_ request: ChatRequest) -> String {
        (try? Value.list(request.messages).compactJSON()) ?? ""
    }

    func detect(_ source: String) throws -> ContentFormat {
        VLLMPreprocessing.resolve(.auto, template: try Template(source: source, name: "t"))
    }

    @Test func contentFormatIsDetectedFromLoopsOverMessageContent() throws {
        #expect(try detect("{% for m in messages %}{% for p in m['content'] %}{{ p.text }}{% endfor %}{% endfor %}") == .openai)
        #expect(try detect("{% for m in messages %}{% for p in m.content %}{% endfor %}{% endfor %}") == .openai)
        #expect(try detect("{% set ms = messages[1:] %}{% for m in ms %}{% for p in m.content | list %}{% endfor %}{% endfor %}") == .openai)
        #expect(try detect("{% for m in messages %}{{ m['content'] }}{% endfor %}") == .string)
        // Through a macro parameter or a method call, vLLM does not see the loop.
        #expect(
            try detect("{% macro r(msg) %}{% for p in msg.get('content') %}{% endfor %}{% endmacro %}{% for m in messages %}{{ r(m) }}{% endfor %}") == .string)
        // A tuple target where vLLM expects a name: it gives up, and the default is string.
        #expect(try detect("{% for i, m in messages %}{% for p in m.content %}{% endfor %}{% endfor %}") == .string)
    }

    @Test func openaiTurnsStringsIntoPartsAndNullIntoNothing() throws {
        let request = try request(#"[{"role": "user", "content": "hi"}, {"role": "assistant", "content": null, "extra": 1}, {"role": "user", "content": ""}]"#)
        let result = try VLLMPreprocessing.apply(request, format: .openai)
        #expect(
            messages(result)
                == #"[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[]},{"role":"user","content":[{"type":"text","text":""}]}]"#
        )
    }

    @Test func stringJoinsNonEmptyPartsWithLineFeeds() throws {
        let request = try request(
            #"[{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": ""}, {"type": "text", "text": "b"}]}, {"role": "assistant", "content": null}]"#
        )
        let result = try VLLMPreprocessing.apply(request, format: .string)
        #expect(messages(result) == #"[{"role":"user","content":"a\nb"},{"role":"assistant","content":""}]"#)
    }

    @Test func toolResultsAreAlwaysJoined() throws {
        let request = try request(#"[{"role": "tool", "tool_call_id": "x", "content": [{"type": "text", "text": "r"}, {"type": "text", "text": ""}]}]"#)
        #expect(messages(try VLLMPreprocessing.apply(request, format: .openai)) == #"[{"role":"tool","content":"r\n","tool_call_id":"x"}]"#)
        #expect(messages(try VLLMPreprocessing.apply(request, format: .string)) == #"[{"role":"tool","content":"r","tool_call_id":"x"}]"#)
    }

    @Test func messagesAreRebuiltWithTheirKnownFields() throws {
        let request = try request(#"[{"name": "k", "reasoning_content": "why", "role": "assistant", "content": "a", "tool_calls": [], "extra": true}]"#)
        #expect(
            messages(try VLLMPreprocessing.apply(request, format: .string))
                == #"[{"role":"assistant","content":"a","tool_calls":[],"reasoning":"why","reasoning_content":"why","name":"k"}]"#)
    }

    @Test func argumentsAreParsedAndBadOnesBecomeEmptyObjects() throws {
        let request = try request(
            #"[{"role": "assistant", "content": "", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{ \"b\": 1,  \"a\": \"\\u00e9\" }"}}, {"id": "2", "type": "function", "function": {"name": "f", "arguments": "city=Paris"}}, {"id": "3", "type": "function", "function": {"name": "f", "arguments": ""}}, {"id": "4", "type": "function", "function": {"name": "f"}}]}]"#
        )
        let result = try VLLMPreprocessing.apply(request, format: .string, steps: .arguments)
        let json = messages(result)
        #expect(json.contains(#""arguments":{"b":1,"a":"é"}"#))
        #expect(json.components(separatedBy: #""arguments":{}"#).count == 4, "\(json)")
        #expect(VLLMPreprocessing.dropsArguments(request))
        // Only the requested step is applied: the content is left as it was.
        #expect(json.contains(#""content":"""#))
    }

    /// Issue 36, bug 5: vLLM replaces empty arguments by `{}` too, which is a drop (the caller's
    /// text is gone), not a re-serialization.
    @Test func emptyArgumentsAreDropped() throws {
        let empty = try request(
            #"[{"role": "assistant", "content": "", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": ""}}]}]"#)
        #expect(VLLMPreprocessing.dropsArguments(empty))
        let valid = try request(
            #"[{"role": "assistant", "content": "", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}]"#)
        #expect(!VLLMPreprocessing.dropsArguments(valid))
    }

    @Test func mediaPartsAreRefusedNotGuessed() throws {
        let request = try request(#"[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}]"#)
        #expect(throws: KimiError.self) { try VLLMPreprocessing.apply(request, format: .openai) }
    }

    @Test func argumentsThatAreNotAnObjectBecomeEmptyObjects() throws {
        let request = try request(
            #"[{"role": "assistant", "content": "", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "[1, 2]"}}, {"id": "2", "type": "function", "function": {"name": "f", "arguments": "null"}}]}]"#
        )
        let applied = try VLLMPreprocessing.apply(request, format: .string)
        #expect(messages(applied).components(separatedBy: #""arguments":{}"#).count == 3, "\(messages(applied))")
        #expect(VLLMPreprocessing.dropsArguments(request))
    }

    @Test func developerMessagesMergeEveryInstructionAtTheTop() throws {
        let plain = try request(#"[{"role": "system", "content": "A"}, {"role": "user", "content": "u"}, {"role": "system", "content": "B"}]"#)
        #expect(messages(try VLLMPreprocessing.apply(plain, format: .string)) == messages(plain), "without developer messages nothing moves")
        let mixed = try request(
            #"[{"role": "user", "content": "u"}, {"role": "system", "content": "A"}, {"role": "developer", "content": ""}, {"role": "developer", "content": "B"}]"#
        )
        #expect(
            messages(try VLLMPreprocessing.apply(mixed, format: .string))
                == #"[{"role":"system","content":"A\n\nB"},{"role":"user","content":"u"}]"#)
    }
}
