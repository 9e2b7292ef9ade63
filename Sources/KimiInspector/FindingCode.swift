/// Every code the inspector reports: the findings of ``PromptChecker`` and the classifications
/// of ``StreamComparison``. The raw value is the stable string printed and written in JSON.
public enum FindingCode: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    // Findings of `check` (some are also classifications of `compare`).
    /// The stream does not end with the family's generation prompt.
    case missingGenerationPrompt = "missing-generation-prompt"
    /// Which generation prompt a K2.5 prompt ends with (thinking or not).
    case generationPrompt = "generation-prompt"
    /// A K2.5 prompt's generation prompt disagrees with the requested `thinking`.
    case thinkingModeMismatch = "thinking-mode-mismatch"
    /// A Python repr of content parts printed into the prompt.
    case contentListLeak = "content-list-leak"
    /// A tool-call ID that is not `functions.NAME:IDX`.
    case nonstandardToolCallID = "nonstandard-tool-call-id"
    /// A special-token name spelled as ordinary tokens.
    case specialTokenAsText = "special-token-as-text"
    /// Something that looks like a special token but is not in the vocabulary.
    case unknownSpecialMarker = "unknown-special-marker"
    /// Markers out of order, unclosed messages, sections or calls.
    case malformedStructure = "malformed-structure"
    /// A history tool call to a tool the declaration does not list.
    case undeclaredTool = "undeclared-tool"
    /// Tools were given but the prompt declares none.
    case toolDeclarationMissing = "tool-declaration-missing"
    /// The prompt's tool declaration is not the one the given tools render to.
    case toolDeclarationMismatch = "tool-declaration-mismatch"
    /// Tools declared as JSON where the family declares them in TypeScript.
    case toolDeclarationJSON = "tool-declaration-json"
    /// A history assistant message whose tool calls sit inside an unclosed `<think>`.
    case toolCallInReasoning = "tool-call-in-reasoning"
    /// A media token outside the sequence the template writes for an image.
    case misplacedMediaToken = "misplaced-media-token"
    /// A token ID outside the vocabulary or the model's embedding.
    case idOutsideEmbedding = "id-outside-embedding"
    /// A request's content holds a special-token string.
    case specialTokenInContent = "special-token-in-content"
    /// (K3) A control token where text belongs: what segment-wise encoding prevents.
    case controlTokenInText = "control-token-in-text"
    /// (K3) A Kimi K2 chat marker in a K3 prompt.
    case foreignChatMarker = "foreign-chat-marker"
    /// (K3) A tool call whose `index` is not its 1-based position.
    case callIndexMismatch = "call-index-mismatch"
    /// (K3) The IDs encode the joined prompt text instead of each segment on its own.
    case joinedTextEncoding = "joined-text-encoding"
    /// The stream starts with `[BOS]`, which llama.cpp adds and Kimi prompts do not have.
    case leadingBOS = "leading-bos"
    /// A tool result the model sees as empty (an engine lost its text, or the tool returned nothing).
    case emptyToolResult = "empty-tool-result"

    // What an engine's output parsers lost or changed (`parse-tool-calls --engine`).
    /// A call kimi-tok reads in the output is not among the calls the engine returns.
    case engineDroppedToolCall = "engine-dropped-tool-call"
    /// The engine returns a call under another ID than the model wrote.
    case engineRewroteToolCallID = "engine-rewrote-tool-call-id"
    /// The engine returns a call's arguments cut short.
    case engineCutArguments = "engine-cut-arguments"
    /// The engine returns markup (the next call's markers) inside a call's arguments.
    case engineMarkupInArguments = "engine-markup-in-arguments"
    /// The engine returns content or calls of the answer as reasoning.
    case engineReasoningSwallowed = "engine-reasoning-swallowed"
    /// The engine returns tool-call markup as content.
    case engineToolCallsAsContent = "engine-tool-calls-as-content"
    /// The engine refuses the request before parsing anything.
    case engineRefusedRequest = "engine-refused-request"
    /// The engine's parser throws on the output (llama.cpp: HTTP 500 to the client).
    case engineParseFailure = "engine-parse-failure"

    // Findings of `audit` on a served turn.
    /// A log line that is not a turn (not JSON, or a field of the wrong shape).
    case badRecord = "bad-record"
    /// A request the renderer cannot take, or whose template raises.
    case invalidRequest = "invalid-request"
    /// The server answered with an error instead of a completion.
    case responseFailed = "response-failed"
    /// The response's `finish_reason` disagrees with its tool calls.
    case finishReasonMismatch = "finish-reason-mismatch"
    /// A returned call names a tool the request does not declare.
    case responseUndeclaredTool = "response-undeclared-tool"
    /// A returned call's arguments are not a JSON object.
    case responseInvalidArguments = "response-invalid-arguments"
    /// A returned call's arguments violate the tool's `parameters` schema.
    case responseSchemaViolation = "response-schema-violation"
    /// A returned call's ID is not `functions.NAME:IDX`, names another tool, or repeats.
    case responseToolCallID = "response-tool-call-id"

    // Classifications of `compare` only.
    /// The engine's IDs are its own preprocessing's render: content turned into parts, or parts joined.
    case engineContentFormat = "engine-content-format"
    /// The engine's IDs are its render with tool-call arguments parsed and printed again.
    case engineArgumentsReserialized = "engine-arguments-reserialized"
    /// The engine's IDs are its render with invalid or empty tool-call arguments replaced by `{}`.
    case engineArgumentsDropped = "engine-arguments-dropped"
    /// The engine's IDs are its render with developer messages merged into one system message.
    case engineInstructionsMerged = "engine-instructions-merged"
    /// The engine's IDs are its render with tools dumped with `null` fields (`defer_loading`, a missing description).
    case engineToolDeclarationNulls = "engine-tool-declaration-nulls"
    /// The engine's IDs are its render with tool results re-ordered and matched by an alias.
    case engineToolResultAlias = "engine-tool-result-alias"
    /// The engine's IDs are its render with only the named tool (or none) declared.
    case engineToolChoiceFilter = "engine-tool-choice-filter"
    /// The engine's IDs are its render with messages dumped: `null` content to `""`, parts joined with a space.
    case engineContentNormalized = "engine-content-normalized"
    /// The engine's IDs are its render with the user's `name` dropped.
    case engineUserNameDropped = "engine-user-name-dropped"
    /// The engine's IDs are its render with the last assistant message spliced after the generation prompt.
    case engineFinalMessageSpliced = "engine-final-message-spliced"
    /// The engine's IDs are its render with a trailing assistant message turned into a user message.
    case engineUserTurnRewrite = "engine-user-turn-rewrite"
    /// The engine's IDs are its render with the generation prompt added although the request said not to.
    case engineGenerationPromptForced = "engine-generation-prompt-forced"
    /// The engine's IDs are its render with `reasoning_effort` passed to the template.
    case engineReasoningEffortKwarg = "engine-reasoning-effort-kwarg"
    /// The engine's IDs are its render of a template file whose literal `\n` became newlines.
    case engineTemplateNewlines = "engine-template-newlines"
    /// The engine's IDs are its render with a tool result given as parts printed as nothing (llama.cpp's Jinja).
    case engineToolResultDropped = "engine-tool-result-dropped"
    /// The engine's IDs are its render with the final assistant message continued (llama.cpp's prefill).
    case engineAssistantPrefill = "engine-assistant-prefill"
    /// The engine's IDs are its render with `null` content as `""`.
    case engineNullContentToEmpty = "engine-null-content-to-empty"
    /// The engine's IDs are its own tokenizer's: it cuts a word where the reference does not (llama.cpp's pre-tokenizer).
    case enginePretokenizerSplit = "engine-pretokenizer-split"
    /// The engine's IDs spell out a special token its vocabulary does not have.
    case engineSpecialTokenUnknown = "engine-special-token-unknown"
    /// The two streams are identical.
    case equal
    /// One stream is a prefix of the other.
    case truncation
    /// The prompts differ only in whitespace.
    case whitespaceOnly = "whitespace-only"
    /// The same text, tokenized differently.
    case tokenizationOnly = "tokenization-only"
    /// The prompts' text differs for another reason.
    case templateDifference = "template-difference"

    public var description: String { rawValue }

    /// The codes `check` reports.
    public static var findings: [FindingCode] {
        allCases.filter {
            ![
                .equal, .truncation, .whitespaceOnly, .tokenizationOnly, .templateDifference, .engineContentFormat,
                .engineArgumentsReserialized, .engineArgumentsDropped,
            ].contains($0) && !engineResponse.contains($0) && !engineSteps.contains($0) && !audit.contains($0)
        }
    }

    /// The codes only `audit` reports, about a served turn's record and response.
    public static let audit: [FindingCode] = [
        .badRecord, .invalidRequest, .responseFailed, .finishReasonMismatch, .responseUndeclaredTool, .responseInvalidArguments,
        .responseSchemaViolation, .responseToolCallID,
    ]

    /// The codes `compare` gives a divergence an engine step explains.
    public static let engineSteps: [FindingCode] = [
        .engineContentFormat, .engineArgumentsReserialized, .engineArgumentsDropped, .engineInstructionsMerged, .engineToolDeclarationNulls,
        .engineToolResultAlias, .engineToolChoiceFilter, .engineContentNormalized, .engineUserNameDropped, .engineFinalMessageSpliced,
        .engineUserTurnRewrite, .engineGenerationPromptForced, .engineReasoningEffortKwarg, .engineTemplateNewlines,
        .engineToolResultDropped, .engineAssistantPrefill, .engineNullContentToEmpty, .enginePretokenizerSplit, .engineSpecialTokenUnknown,
    ]

    /// The codes `parse-tool-calls --engine` reports about an engine's answer.
    public static let engineResponse: [FindingCode] = [
        .engineDroppedToolCall, .engineRewroteToolCallID, .engineCutArguments, .engineMarkupInArguments, .engineReasoningSwallowed,
        .engineToolCallsAsContent, .engineRefusedRequest, .engineParseFailure,
    ]
}
