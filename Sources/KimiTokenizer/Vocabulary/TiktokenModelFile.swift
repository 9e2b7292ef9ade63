import Foundation

/// The parsed contents of a `tiktoken.model` file: one `BASE64 RANK` line per token.
struct TiktokenModelFile {
    /// Token bytes, indexed by rank.
    let tokens: [[UInt8]]

    /// Parses and validates `data`; `path` is only used in error messages.
    ///
    /// Lines are split like tiktoken's loader (`\n`, `\r\n` or `\r`; empty lines skipped), but
    /// stricter: the base64 must be canonical, the rank plain ASCII digits, and the ranks must
    /// be exactly `0..<count` with no token given twice.
    init(data: [UInt8], path: String) throws(VocabularyError) {
        var tokensByRank: [[UInt8]?] = []
        var lineOfRank: [Int] = []
        var lineNumber = 0
        var index = 0
        while index < data.count {
            var end = index
            while end < data.count, data[end] != 0x0A, data[end] != 0x0D { end += 1 }
            lineNumber += 1
            let line = data[index..<end]
            // A CR LF pair ends one line, not two.
            index = end + (end + 1 < data.count && data[end] == 0x0D && data[end + 1] == 0x0A ? 2 : 1)
            if line.isEmpty { continue }
            let (token, rank) = try Self.parse(line: line, number: lineNumber, path: path)
            if rank >= tokensByRank.count {
                tokensByRank.append(contentsOf: repeatElement(nil, count: rank + 1 - tokensByRank.count))
                lineOfRank.append(contentsOf: repeatElement(0, count: rank + 1 - lineOfRank.count))
            }
            if tokensByRank[rank] != nil {
                throw .duplicateRank(path: path, line: lineNumber, rank: rank, firstLine: lineOfRank[rank])
            }
            tokensByRank[rank] = token
            lineOfRank[rank] = lineNumber
        }
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(tokensByRank.count)
        for (rank, token) in tokensByRank.enumerated() {
            guard let token else { throw .missingRank(path: path, rank: rank, count: tokensByRank.count) }
            tokens.append(token)
        }
        if tokens.isEmpty {
            throw .malformedLine(path: path, line: max(lineNumber, 1), reason: "the file holds no tokens")
        }
        self.tokens = tokens
        self.lineOfRank = lineOfRank
    }

    /// The line each rank was read from, for messages about duplicates found later.
    let lineOfRank: [Int]

    private static let maximumRank = 1 << 30

    private static func parse(line: ArraySlice<UInt8>, number: Int,
                              path: String) throws(VocabularyError) -> ([UInt8], Int) {
        let fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
            throw .malformedLine(path: path, line: number,
                                 reason: "expected 'BASE64 RANK' separated by one space")
        }
        guard let decoded = Data(base64Encoded: Data(fields[0])), !decoded.isEmpty,
              decoded.base64EncodedData() == Data(fields[0]) else {
            throw .malformedLine(path: path, line: number,
                                 reason: "'\(String(decoding: fields[0].prefix(40), as: UTF8.self))' is not valid base64 of a non-empty token")
        }
        var rank = 0
        for digit in fields[1] {
            if (0x30...0x39).contains(digit) { rank = rank * 10 + Int(digit - 0x30) }
            guard (0x30...0x39).contains(digit), rank < maximumRank else {
                throw .malformedLine(path: path, line: number,
                                     reason: "rank '\(String(decoding: fields[1].prefix(20), as: UTF8.self))' is not a number below \(maximumRank)")
            }
        }
        return ([UInt8](decoded), rank)
    }
}
