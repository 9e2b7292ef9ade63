import KimiTokenizer
import Testing

/// llama.cpp's pre-tokenizer for Kimi K2, rule by rule, beside the reference's pieces.
@Suite("llama.cpp's Kimi K2 pre-tokenizer, rule by rule")
struct LlamaCppPreTokenizerTests {
    let llama = PreTokenizer.llamaCppKimiK2()
    let reference = try! PreTokenizer.kimi()

    @Test("a combining mark ends a word, and leads the next one")
    func marks() throws {
        #expect(try reference.pieces(of: "ได้") == ["ได้"])
        #expect(try llama.pieces(of: "ได้") == ["ได", "้"])
        #expect(try llama.pieces(of: "नमस्ते") == ["नमस", "्त", "े"])
    }

    @Test("a case change inside a word does not cut it")
    func caseChanges() throws {
        #expect(try reference.pieces(of: "getUserName") == ["get", "User", "Name"])
        #expect(try llama.pieces(of: "getUserName") == ["getUserName"])
    }

    @Test("the rest follows the pattern: Han runs, digits in threes, contractions, symbols, whitespace")
    func sharedRules() throws {
        let text = "你好abc 12345 it's DON'T  x\n\n  y!!\n z\t"
        #expect(try llama.pieces(of: text) == ["你好", "abc", " ", "123", "45", " it's", " DON'T", " ", " x", "\n\n", " ", " y", "!!\n", " z", "\t"])
        #expect(try llama.pieces(of: text) == (try reference.pieces(of: text)))
    }

    @Test("Han is llama.cpp's list of ideograph blocks, not the script")
    func hanBlocks() throws {
        // U+3005 (々) is Han by script but outside llama.cpp's blocks: a letter that joins the word.
        #expect(try llama.pieces(of: "人々a") == ["人", "々a"])
        #expect(try reference.pieces(of: "人々a") == ["人々", "a"])
    }

    /// Cases from comparing with llama.cpp build 11434's own splitter on 48,000 generated
    /// strings (its `unicode_regex_split`): the ones that found that its letters are an older
    /// Unicode's.
    @Test("letters newer than llama.cpp's Unicode data are symbols to it")
    func olderUnicode() throws {
        #expect(try llama.pieces(of: "\u{1C856}\u{ADF5}\u{13B08}") == ["\u{1C856}\u{ADF5}", "\u{13B08}"])
        #expect(try llama.pieces(of: "\u{260A3}\u{13C72}\u{1F67A}w") == ["\u{260A3}", "\u{13C72}\u{1F67A}", "w"])
        #expect(try llama.pieces(of: "y\u{134E6}\u{25C14}\u{BC9C}\u{21114}\n") == ["y", "\u{134E6}", "\u{25C14}", "\u{BC9C}", "\u{21114}", "\n"])
    }
}
