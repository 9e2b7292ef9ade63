import Foundation
import KimiIO
import Testing

/// `JSONWriter.bytes(of:)` writes back what `JSONReader` read: same values, same key order,
/// integers of any size, every escape.
@Suite("JSON writer")
struct JSONWriterTests {
    @Test func valuesReadBackEqual() throws {
        let documents = [
            #"{"b": 1, "a": [true, false, null], "c": {"z": "x", "y": -0.5}}"#,
            #"[123456789012345678901234567890, -9223372036854775808, 1e300, 2.5e-8, 0]"#,
            #""quote \" backslash \\ slash / control \u0001 \u001f tab \t newline \n é 🙂 \ud83d\ude42""#,
            #"{"dup": 1, "other": 2, "dup": 3}"#,
            #"[NaN, Infinity, -Infinity, {}, [], ""]"#,
        ]
        for document in documents {
            let value = try JSONReader.parse(Array(document.utf8))
            let written = JSONWriter.bytes(of: value)
            #expect(try JSONReader.parse(written) == value, "\(document)")
        }
    }

    @Test func keysKeepTheirOrder() throws {
        let value = try JSONReader.parse(Array(#"{"z": 1, "a": {"y": 2, "b": 3}}"#.utf8))
        #expect(String(decoding: JSONWriter.bytes(of: value), as: UTF8.self) == #"{"z":1,"a":{"y":2,"b":3}}"#)
    }

    @Test func encodableOutputSortsKeysAndKeepsSlashes() throws {
        let bytes = try JSONWriter.encode(["b": "x/y", "a": "é"])
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":"é","b":"x/y"}"#)
    }
}
