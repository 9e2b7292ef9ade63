import Foundation
import KimiChatTemplate
import KimiInspector
import KimiTokenizer

/// What the fuzz targets run against: the real tokenizer, both pre-tokenizer engines, the model
/// directory's chat template, and a small conversation with tools.
public struct FuzzFixtures: Sendable {
    public let tokenizer: KimiTokenizer
    /// The PCRE2 pre-tokenizer, the reference for the scanner the tokenizer uses.
    public let pcre2: PreTokenizer
    public let scanner: PreTokenizer
    /// The model directory's chat template.
    public let renderer: ChatRenderer
    public let checker: PromptChecker
    /// Tool declarations in the OpenAI shape.
    public let tools: [Value]
    /// A conversation with a tool call and its result.
    public let messages: [Value]
    /// Tight limits, so that a template that loops or grows fails fast instead of hanging.
    public let limits: RenderLimits

    /// Loads the fixtures from the model directory that `kimi-tok` would use.
    public static func load(modelDirectory: String? = nil) throws -> FuzzFixtures {
        let directory = try ModelDirectory.resolve(option: modelDirectory)
        let tokenizer = try KimiTokenizer.load(directory)
        let renderer = try ChatRenderer(modelDirectory: directory)
        guard let checker = PromptChecker(tokenizer: tokenizer) else {
            throw MissingMarkers()
        }
        let tools = try ChatRequest.readTools(Array(Self.toolsJSON.utf8))
        let request = try ChatRequest.read(messagesJSON: Array(Self.messagesJSON.utf8))
        var limits = RenderLimits()
        limits.steps = 200_000
        limits.callDepth = 64
        limits.outputBytes = 1 << 20
        return FuzzFixtures(
            tokenizer: tokenizer, pcre2: try PreTokenizer.kimi(engine: .pcre2),
            scanner: try PreTokenizer.kimi(engine: .scanner), renderer: renderer,
            checker: checker, tools: tools, messages: request.messages, limits: limits)
    }

    /// The vocabulary lacks the Kimi chat markers that the prompt checker needs.
    public struct MissingMarkers: Error, CustomStringConvertible {
        public var description: String { "the vocabulary lacks the Kimi chat markers" }
    }

    private static let toolsJSON = """
        [{"type": "function", "function": {"name": "search", "description": "Search the web",
          "parameters": {"type": "object", "properties": {"query": {"type": "string"},
          "limit": {"type": "integer", "minimum": 1}}, "required": ["query"]}}}]
        """

    private static let messagesJSON = """
        [{"role": "system", "content": "You are Kimi."},
         {"role": "user", "content": [{"type": "text", "text": "Find Swift news"}]},
         {"role": "assistant", "content": "", "tool_calls": [{"id": "functions.search:0", "type": "function",
          "function": {"name": "search", "arguments": "{\\"query\\": \\"swift\\"}"}}]},
         {"role": "tool", "tool_call_id": "functions.search:0", "content": "Swift 6.3 released"},
         {"role": "assistant", "content": "Swift 6.3 is out."}]
        """
}
