/// Token IDs as decimal text, written straight into bytes: making a `String` per ID and joining
/// them took most of the time of `encode --jsonl` when it printed IDs.
enum IDText {
    /// Appends `ids` in decimal to `bytes`, with `separator` between them.
    static func append(_ ids: [Int], separator: UInt8, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + ids.count * 7)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            for (position, id) in ids.enumerated() {
                if position > 0 { bytes.append(separator) }
                if id < 0 { bytes.append(UInt8(ascii: "-")) }
                // Written backwards from the end of `digits`; the magnitude of Int.min fits a UInt.
                var value = id.magnitude
                var start = digits.count
                repeat {
                    start -= 1
                    digits[start] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                } while value > 0
                bytes.append(contentsOf: digits[start...])
            }
        }
    }

    /// `ids` in decimal, with `separator` between them.
    static func string(_ ids: [Int], separator: UInt8) -> String {
        var bytes: [UInt8] = []
        append(ids, separator: separator, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
