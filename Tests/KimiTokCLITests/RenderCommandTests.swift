import Foundation
import TestSupport
import Testing

@Suite("render command", .needsVocabulary)
struct RenderCommandTests {
    static let templates = TestEnvironment.sharedDirectory.appendingPathComponent("templates")

    /// An assistant tool call whose content an engine normalised to an empty text part.
    static let request = #"""
        {"messages": [
          {"role": "user", "content": "What's the weather in Paris?"},
          {"role": "assistant", "content": [{"type": "text", "text": ""}],
           "tool_calls": [{"id": "functions.get_weather:0", "type": "function",
                           "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
          {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "{\"temp\": 21}"}],
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]}
        """#

    func write(_ text: String, name: String = "request.json") throws -> String {
        let url = try CLI.temporaryDirectory().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func template(_ name: String) -> String { Self.templates.appendingPathComponent(name).path }

    @Test(.needsShared) func oldTemplateLeaksTheContentListAndTheFixedOneDoesNot() throws {
        let messages = try write(Self.request)
        let old = try CLI.run(["render", "--messages", messages, "--template", template("kimi-k2-tokenizer-config-early.jinja")])
        #expect(old.status == 0, "\(old.stderr)")
        #expect(old.output.contains("<|im_middle|>[{'type': 'text', 'text': ''}]<|tool_calls_section_begin|>"))
        let fixed = try CLI.run(["render", "--messages", messages, "--template", template("kimi-k2-thinking-moonshotai-llamacpp.jinja")])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(!fixed.output.contains("'type'"))
        #expect(fixed.output.hasSuffix("<|im_assistant|>assistant<|im_middle|>"))
    }

    @Test func generationPromptJSONAndTokens() throws {
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let withPrompt = try CLI.run(["render", "--messages", messages, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: withPrompt.stdout) as? [String: Any])
        let ids = try #require(object["ids"] as? [Int])
        #expect(Array(ids.suffix(3)) == [163588, 69702, 163601])
        #expect((object["prompt"] as? String)?.hasSuffix("<|im_assistant|>assistant<|im_middle|>") == true)
        let without = try CLI.run(["render", "--messages", messages, "--no-generation-prompt"])
        #expect(without.output.hasSuffix("hi<|im_end|>"))
        let tokens = try CLI.run(["render", "--messages", messages, "--tokens", "--color", "never"])
        #expect(tokens.output.contains("163601  «<|im_middle|>»"))
    }

    @Test(.needsShared) func templateVariables() throws {
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let k25 = template("kimi-k2.5.jinja")
        let thinking = try CLI.run(["render", "--messages", messages, "--template", k25])
        #expect(thinking.output.hasSuffix("<|im_assistant|>assistant<|im_middle|><think>"))
        let off = try CLI.run(["render", "--messages", messages, "--template", k25, "--variable", "thinking=false"])
        #expect(off.output.hasSuffix("<|im_assistant|>assistant<|im_middle|><think></think>"))
        let bad = try CLI.run(["render", "--messages", messages, "--variable", "thinking=nope"])
        #expect(bad.status == 2 && bad.stderr.contains("--variable thinking: the value is not JSON"))
    }

    @Test func templateFallsBackToTheModelDirectory() throws {
        // The shared model directory has no chat_template.jinja: the config's chat_template is used.
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let result = try CLI.run(["render", "--messages", messages])
        #expect(result.status == 0)
        #expect(result.output.contains("<|im_user|>user<|im_middle|>hi<|im_end|>"))
    }

    @Test(.needsShared) func templateErrorsExitTwoWithLineAndColumn() throws {
        let messages = try write(Self.request)
        let sandboxed = try CLI.run(["render", "--messages", messages, "--template", template("kimi-k2-instruct-llamacpp-pr17376.jinja")])
        #expect(sandboxed.status == 2)
        #expect(sandboxed.stdout.isEmpty)
        #expect(sandboxed.stderr.contains("kimi-k2-instruct-llamacpp-pr17376.jinja:"))
        #expect(sandboxed.stderr.contains("security error: access to attribute 'append' of 'list' object is unsafe."))
        let broken = try write("{% for m in messages %}{{ m.content }", name: "broken.jinja")
        let syntax = try CLI.run(["render", "--messages", messages, "--template", broken])
        #expect(syntax.status == 2)
        #expect(syntax.stderr.contains("broken.jinja:1:"))
        #expect(syntax.stderr.contains("syntax error"))
    }

    @Test func runawayTemplatesStopAtTheirLimits() throws {
        let messages = try write(#"[{"role": "user", "content": "hi"}]"#)
        let recursive = try write("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", name: "recursive.jinja")
        let deep = try CLI.run(["render", "--messages", messages, "--template", recursive])
        #expect(deep.status == 2 && deep.stderr.contains("limit exceeded") && deep.stdout.isEmpty)
        let huge = try write("{% set s = 'x' * 1000000 %}{% for i in range(100000) %}{{ s }}{% endfor %}", name: "huge.jinja")
        let big = try CLI.run(["render", "--messages", messages, "--template", huge])
        #expect(big.status == 2 && big.stderr.contains("limit exceeded") && big.stdout.isEmpty)
    }

    @Test func badRequestsExitTwo() throws {
        let unknownRole = try CLI.run(["render", "--messages", try write(#"[{"role": "robot", "content": "x"}]"#)])
        #expect(unknownRole.status == 2 && unknownRole.stderr.contains("unknown role 'robot'"))
        let malformed = try CLI.run(["render", "--messages", try write("[{\"role\": \"user\",\n}]")])
        #expect(malformed.status == 2 && malformed.stderr.contains("invalid JSON at line 2, column 1"))
        let missing = try CLI.run(["render", "--messages", "/nonexistent/request.json"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/request.json"))
    }

    /// SGLang's paths: chat completions splice a final assistant message after the generation
    /// prompt (`continuation` in the JSON); /v1/tokenize refuses to continue without the
    /// generation prompt; a named tool choice without tools is refused with SGLang's words.
    @Test func sglangEngineProfile() throws {
        let continued = try write(
            #"{"messages": [{"role": "user", "content": "hi", "name": "alice"}, {"role": "assistant", "content": "Paris"}], "continue_final_message": true}"#)
        let chat = try CLI.run(["render", "--engine", "sglang", "--messages", continued, "--json"])
        #expect(chat.status == 0, "\(chat.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: chat.stdout) as? [String: Any])
        let prompt = try #require(object["prompt"] as? String)
        #expect(prompt.hasSuffix("<|im_assistant|>assistant<|im_middle|>Paris") && prompt.contains("<|im_user|>user<|im_middle|>hi"), "\(prompt)")
        #expect(object["continuation"] as? String == "Paris")
        let reference = try CLI.run(["render", "--messages", continued])
        #expect(reference.output.contains("Paris<|im_end|>"), "\(reference.output)")
        let tokenize = try CLI.run(["render", "--engine", "sglang", "--endpoint", "tokenize", "--no-generation-prompt", "--messages", continued])
        #expect(tokenize.status == 2 && tokenize.stderr.contains("continue_final_message needs add_generation_prompt"), "\(tokenize.stderr)")
        let named = try write(#"{"messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "function", "function": {"name": "x"}}}"#)
        let refused = try CLI.run(["render", "--engine", "sglang", "--messages", named])
        #expect(refused.status == 2 && refused.stderr.contains("Tools cannot be empty if tool choice is set to a specific tool."))
    }
}
