import KimiTokenizer
import Testing

@Suite("UTF-8 input and token display")
struct TextHelpersTests {
    @Test func invalidUTF8NamesTheOffset() throws {
        #expect(throws: InvalidUTF8Error(byteOffset: 3, byte: 0xFF)) { try UTF8Input.decode([0x61, 0x62, 0x63, 0xFF]) }
        #expect(throws: InvalidUTF8Error(byteOffset: 1, byte: 0xE4)) { try UTF8Input.decode([0x61, 0xE4, 0xB8]) }
        #expect(throws: InvalidUTF8Error(byteOffset: 0, byte: 0xED)) { try UTF8Input.decode([0xED, 0xA0, 0x80]) }
        #expect(throws: InvalidUTF8Error(byteOffset: 0, byte: 0xC0)) { try UTF8Input.decode([0xC0, 0xAF]) }
        #expect(try UTF8Input.decode(Array("héllo 世界 😀".utf8)) == "héllo 世界 😀")
    }

    @Test func displayMakesWhitespaceAndCutCharactersVisible() {
        #expect(TokenDisplay.visible(Array(" a\tb\nc\r\\".utf8)) == "␣a\\tb\\nc\\r\\\\")
        #expect(TokenDisplay.visible([0xE4, 0xB8]) == "\\xE4\\xB8")
        #expect(TokenDisplay.visible([0xB8, 0xAD, 0x61]) == "\\xB8\\xADa")
        #expect(TokenDisplay.visible(Array("\u{A0}\u{200B}\u{FEFF}世".utf8)) == "\\u{A0}\\u{200B}\\u{FEFF}世")
    }
}
