import Foundation
import KimiChatTemplate
import KimiTokenizer

/// Runs of ordinary tokens that spell a special-token name (the tokenizer ran with special
/// tokens off), and `<|…|>` markers the vocabulary does not have.
struct MarkersInTextRule: PromptRule {
    func findings(in context: PromptContext) -> [Finding] {
        let stream = context.stream
        let specialTokens = context.tokenizer.specialTokens
        var findings: [Finding] = []
        var index = 0
        while index < stream.count {
            guard !stream.isSpecial[index], stream.isKnown[index] else { index += 1; continue }
            var end = index
            while end < stream.count, !stream.isSpecial[end], stream.isKnown[end] { end += 1 }
            let bytes = Array(stream.bytes(index..<end))
            for (offset, name) in MarkerScan.candidates(in: bytes, plainNames: context.plainNames) {
                let token = stream.token(atByte: offset, in: index..<end)
                if let id = specialTokens.id(named: name) {
                    findings.append(
                        context.finding(
                            .specialTokenAsText, .error, at: token, "\(name) appears as ordinary text tokens, not as its special ID \(id)",
                            fix: "tokenize with special tokens allowed (the Kimi tokenizer's default); do not escape or split special-token strings"))
                } else if name.hasPrefix("<|") {
                    findings.append(
                        context.finding(
                            .unknownSpecialMarker, .warning, at: token, "\(name) looks like a special token but is not in this model's vocabulary",
                            fix: Self.unknownMarkerFix(name, specialTokens.names)))
                }
            }
            index = end
        }
        return findings
    }

    /// The fix for a marker the vocabulary lacks: the known markers whose names are closest,
    /// never the unknown marker itself, and a word when another Kimi family has it.
    static func unknownMarkerFix(_ name: String, _ names: [String]) -> String {
        let otherFamilies: [String: String] = [
            "<|media_begin|>": "Kimi K2.5/K2.6", "<|media_content|>": "Kimi K2.5/K2.6", "<|media_end|>": "Kimi K2.5/K2.6",
            "<|media_pad|>": "Kimi K2.5/K2.6", "<|open|>": "Kimi K3", "<|close|>": "Kimi K3", "<|sep|>": "Kimi K3",
            "<|end_of_msg|>": "Kimi K3",
        ]
        let stem = name.trimmingCharacters(in: CharacterSet(charactersIn: "<|>")).split(separator: "_").first.map(String.init) ?? ""
        let similar = names.filter { $0 != name && !$0.hasPrefix("<|reserved_token_") && !stem.isEmpty && $0.contains(stem) }.prefix(3)
        var fix =
            otherFamilies[name].map { "\(name) is a \($0) token: use that model's directory (--model-dir), or remove it" }
            ?? "remove it, or use a marker this vocabulary has"
        if !similar.isEmpty { fix += " (similar names here: \(similar.joined(separator: ", ")))" }
        return fix
    }
}
