/// Kimi K2's output markers as Unicode scalars, for the engines' parsers that search raw
/// output by code point.
enum K2OutputMarkers {
    static let thinkStart = Array("<think>".unicodeScalars)
    static let thinkEnd = Array("</think>".unicodeScalars)
    static let sectionStart = Array("<|tool_calls_section_begin|>".unicodeScalars)
    static let sectionEnd = Array("<|tool_calls_section_end|>".unicodeScalars)
    static let callStart = Array("<|tool_call_begin|>".unicodeScalars)
    static let argumentStart = Array("<|tool_call_argument_begin|>".unicodeScalars)
    static let callEnd = Array("<|tool_call_end|>".unicodeScalars)
}
