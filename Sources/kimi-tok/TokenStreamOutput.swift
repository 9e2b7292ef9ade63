import ArgumentParser
import Foundation
import KimiTokenizer

/// The token stream, as a table for people or as JSON entries.
enum TokenStreamOutput {
    enum ColorChoice: String, ExpressibleByArgument { case auto, always, never }

    /// The table; `segmentStarts` (token index → segment number and kind) puts a line before the
    /// first token of each segment of a prompt built as segments (Kimi K3).
    static func table(_ ids: [Int], _ tokenizer: KimiTokenizer, color: ColorChoice, segmentStarts: [Int: String] = [:]) throws -> String {
        let pieces = try tokenizer.tokenBytes(ids)
        let style = TerminalStyle(enabled: color == .always || (color == .auto && TerminalStyle.autoEnabled))
        let indexWidth = max(5, String(ids.count).count)
        var output = style.dim("index".leftPadded(indexWidth) + "      id  piece") + "\n"
        for (index, id) in ids.enumerated() {
            if let segment = segmentStarts[index] { output += style.dim(String(repeating: " ", count: indexWidth) + "  ── " + segment) + "\n" }
            let piece =
                tokenizer.isSpecial(id)
                ? style.special("«" + String(decoding: pieces[index], as: UTF8.self) + "»")
                : style.escapes(TokenDisplay.visible(pieces[index]))
            output += String(index).leftPadded(indexWidth) + "  " + String(id).leftPadded(6) + "  " + piece + "\n"
        }
        return output + style.dim("\(ids.count) tokens") + "\n"
    }
}

extension TokenStreamOutput {
    /// Where each segment's tokens start, for ``table(_:_:color:segmentStarts:)``.
    static func segmentStarts(_ segments: [PromptSegment], _ tokenizer: KimiTokenizer) throws -> [Int: String] {
        var starts: [Int: String] = [:]
        var position = 0
        for (number, segment) in segments.enumerated() {
            starts[position] = "segment \(number) (\(segment.special ? "control" : "text"))"
            position += try tokenizer.encode(segments: [segment]).count
        }
        return starts
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
