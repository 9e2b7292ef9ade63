import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// vLLM's `/tokenize` and `/detokenize`, same request and response shapes, answered with the
/// reference: a client or test pointed at kimi-tok instead of at the engine gets the IDs the
/// model's own tokenizer class makes.
enum TokenizeEndpoints {
    /// `POST /tokenize`: `prompt` (encoded as `TikTokenTokenizer.encode` does, or by `engine`'s
    /// own tokenizer for llama.cpp; Kimi's class adds no BOS whatever `add_special_tokens`
    /// says), or `messages` with `tools`,
    /// `add_generation_prompt` (default true), `chat_template` and `chat_template_kwargs`
    /// (rendered by the reference pipeline, or by `engine`'s profile, a kimi-tok extension).
    /// Answers `count`, `max_model_len`, `tokens` and `token_strs` (the tokens' byte-level
    /// names when `return_token_strs` is true, else null).
    static func tokenize(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        _ = try fields.bool("add_special_tokens")
        let ids: [Int]
        if let request = try fields.chatRequest() {
            if fields.has("prompt") { throw ServiceError.badRequest("give 'prompt' or 'messages', not both") }
            let engine = try fields.engine("engine")
            if try fields.bool("continue_final_message") == true, !engine.continuesFinalMessage {
                throw ServiceError.badRequest(
                    "'continue_final_message' is not supported with engine '\(engine.name)'; end the request with the message to continue")
            }
            let rendering = try call.renderer(model).render(request, engine: engine, try call.engineRenderOptions(model))
            ids = try rendering.ids(with: model.tokenizer)
        } else if let prompt = try fields.string("prompt") {
            // An engine with a tokenizer of its own (llama.cpp) encodes the prompt with it.
            ids = try fields.engine("engine").tokenizer.tokenizer(from: model.tokenizer).encode(prompt, mode: .hf)
        } else {
            throw ServiceError.badRequest("give 'prompt' (a string) or 'messages' (a chat request)")
        }
        var tokenStrings = JSONValue.null
        if try fields.bool("return_token_strs") == true {
            tokenStrings = .array(try model.tokenizer.tokenBytes(ids).map { .string(ByteLevelText.string($0)) })
        }
        return JSONWriter.bytes(
            of: .object([
                ("count", .int(ids.count)), ("max_model_len", .int(model.maxModelLength)),
                ("tokens", .array(ids.map { .int($0) })), ("token_strs", tokenStrings),
            ]))
    }

    /// `POST /detokenize`: `tokens` (an array of IDs) to `prompt`, decoded as the tokenizer
    /// class's `decode` does (invalid UTF-8 as U+FFFD).
    static func detokenize(_ call: EndpointRequest) throws -> [UInt8] {
        let fields = call.fields
        let model = try call.model()
        guard case let .array(items)? = fields.object["tokens"] else {
            throw ServiceError.badRequest("'tokens' must be an array of token IDs")
        }
        let ids = try items.enumerated().map { position, item in
            guard case let .int(id) = item else { throw ServiceError.badRequest("tokens[\(position)] is \(item.typeName), not an integer") }
            return id
        }
        return JSONWriter.bytes(of: .object([("prompt", .string(try model.tokenizer.decode(ids)))]))
    }
}
