import Foundation

/// The parsed contents of a `tiktoken.model` file: one `BASE64 RANK` line per token.
struct TiktokenModelFile {
    /// All token bytes, concatenated in rank order.
    let bytes: [UInt8]
    /// `bytes[offsets[r] ..< offsets[r + 1]]` is the token with rank `r`.
    let offsets: [UInt32]
    /// The line each rank was read from, for messages about duplicates found later.
    let lineOfRank: [Int]

    /// The number of ranks.
    var count: Int { offsets.count - 1 }

    /// Parses and validates `data`; `path` is only used in error messages.
    ///
    /// Lines are split like tiktoken's loader (`\n`, `\r\n` or `\r`; empty lines skipped), but
    /// stricter: the base64 must be canonical, the rank plain ASCII digits, and the ranks must
    /// be exactly `0..<count` with no token given twice. Decoding writes straight into one
    /// buffer, with no allocation per line.
    init(data: [UInt8], path: String) throws(VocabularyError) {
        do {
            try self.init(parsing: data, path: path)
        } catch {
            // A file cut short ends without a line break, and its last line reads as garbage,
            // a wrong rank or a repeated one: say that, not what the garbage looks like.
            guard let last = data.last, last != 0x0A, last != 0x0D else { throw error }
            let lastLine = Self.lineCount(data)
            let lastLineFails: Bool
            switch error {
            case let .malformedLine(_, line, _): lastLineFails = line == lastLine
            case let .duplicateRank(_, line, _, _): lastLineFails = line == lastLine
            case .duplicateToken(_, let line, _): lastLineFails = line == lastLine
            case .missingRank: lastLineFails = true
            default: lastLineFails = false
            }
            guard lastLineFails else { throw error }
            let problem = "\(error)".replacingOccurrences(of: path + ":", with: "").replacingOccurrences(of: path, with: "the file")
            throw .truncatedFile(path: path, line: lastLine, problem: problem.trimmingCharacters(in: .whitespaces))
        }
    }

    /// The number of lines, counted as the parser counts them (`\r\n` is one line break).
    private static func lineCount(_ data: [UInt8]) -> Int {
        var lines = 0
        var index = 0
        while index < data.count {
            while index < data.count, data[index] != 0x0A, data[index] != 0x0D { index += 1 }
            lines += 1
            index += index + 1 < data.count && data[index] == 0x0D && data[index + 1] == 0x0A ? 2 : 1
        }
        return lines
    }

    private init(parsing data: [UInt8], path: String) throws(VocabularyError) {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(data.count * 3 / 4)
        // Per line read: where its token starts in `decoded`, and its rank.
        var tokenStart: [Int] = []
        var rankOfLine: [Int] = []
        var lineNumbers: [Int] = []
        var lineNumber = 0
        var index = 0
        while index < data.count {
            var end = index
            while end < data.count, data[end] != 0x0A, data[end] != 0x0D { end += 1 }
            lineNumber += 1
            let lineStart = index
            // A CR LF pair ends one line, not two.
            index = end + (end + 1 < data.count && data[end] == 0x0D && data[end + 1] == 0x0A ? 2 : 1)
            if end == lineStart { continue }
            guard let space = data[lineStart..<end].firstIndex(of: 0x20), space > lineStart, space + 1 < end,
                !data[space + 1..<end].contains(0x20)
            else {
                throw .malformedLine(path: path, line: lineNumber, reason: "expected 'BASE64 RANK' separated by one space")
            }
            let start = decoded.count
            guard Self.decodeBase64(data[lineStart..<space], into: &decoded), decoded.count > start else {
                decoded.removeSubrange(start...)
                throw .malformedLine(
                    path: path, line: lineNumber,
                    reason: "'\(String(decoding: data[lineStart..<min(space, lineStart + 40)], as: UTF8.self))' is not valid base64 of a non-empty token")
            }
            var rank = 0
            for digit in data[space + 1..<end] {
                if (0x30...0x39).contains(digit) { rank = rank * 10 + Int(digit - 0x30) }
                guard (0x30...0x39).contains(digit), rank < Self.maximumRank else {
                    throw .malformedLine(
                        path: path, line: lineNumber,
                        reason: "rank '\(String(decoding: data[space + 1..<min(end, space + 21)], as: UTF8.self))' is not a number below \(Self.maximumRank)")
                }
            }
            tokenStart.append(start)
            rankOfLine.append(rank)
            lineNumbers.append(lineNumber)
        }
        tokenStart.append(decoded.count)
        guard !rankOfLine.isEmpty else {
            throw .malformedLine(path: path, line: max(lineNumber, 1), reason: "the file holds no tokens")
        }
        // Order by rank, checking that the ranks are exactly 0..<count.
        let count = (rankOfLine.max() ?? 0) + 1
        var lineOfRankIndex = [Int](repeating: -1, count: count)
        for (line, rank) in rankOfLine.enumerated() {
            if lineOfRankIndex[rank] >= 0 {
                throw .duplicateRank(path: path, line: lineNumbers[line], rank: rank, firstLine: lineNumbers[lineOfRankIndex[rank]])
            }
            lineOfRankIndex[rank] = line
        }
        if let missing = lineOfRankIndex.firstIndex(of: -1) {
            throw .missingRank(path: path, rank: missing, count: count)
        }
        if lineOfRankIndex.enumerated().allSatisfy({ $0.offset == $0.element }) {
            bytes = decoded
            offsets = tokenStart.map(UInt32.init)
        } else {
            var ordered: [UInt8] = []
            ordered.reserveCapacity(decoded.count)
            var orderedOffsets: [UInt32] = [0]
            for line in lineOfRankIndex {
                ordered.append(contentsOf: decoded[tokenStart[line]..<tokenStart[line + 1]])
                orderedOffsets.append(UInt32(ordered.count))
            }
            bytes = ordered
            offsets = orderedOffsets
        }
        lineOfRank = lineOfRankIndex.map { lineNumbers[$0] }
    }

    private static let maximumRank = 1 << 30

    /// Base64 alphabet values, 0xFF for characters outside it.
    private static let alphabet: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Appends the bytes of canonical, padded base64 `text` to `output`; false if it is not that.
    private static func decodeBase64(_ text: ArraySlice<UInt8>, into output: inout [UInt8]) -> Bool {
        guard text.count % 4 == 0 else { return false }
        var index = text.startIndex
        while index < text.endIndex {
            let isLast = index + 4 == text.endIndex
            let c0 = alphabet[Int(text[index])], c1 = alphabet[Int(text[index + 1])]
            guard c0 != 0xFF, c1 != 0xFF else { return false }
            let p2 = text[index + 2] == UInt8(ascii: "="), p3 = text[index + 3] == UInt8(ascii: "=")
            if p2 || p3 {
                // Padding only at the very end, "==" or "x=", with the unused bits zero.
                guard isLast, !p2 || p3 else { return false }
                if p2 {
                    guard c1 & 0x0F == 0 else { return false }
                    output.append(c0 << 2 | c1 >> 4)
                } else {
                    let c2 = alphabet[Int(text[index + 2])]
                    guard c2 != 0xFF, c2 & 0x03 == 0 else { return false }
                    output.append(c0 << 2 | c1 >> 4)
                    output.append(c1 << 4 | c2 >> 2)
                }
            } else {
                let c2 = alphabet[Int(text[index + 2])], c3 = alphabet[Int(text[index + 3])]
                guard c2 != 0xFF, c3 != 0xFF else { return false }
                output.append(c0 << 2 | c1 >> 4)
                output.append(c1 << 4 | c2 >> 2)
                output.append(c2 << 6 | c3)
            }
            index += 4
        }
        return true
    }
}
