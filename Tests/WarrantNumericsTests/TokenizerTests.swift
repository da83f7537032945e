import Foundation
import Testing
import WarrantJSON
@testable import WarrantNumerics

/// GPT-2's byte-level BPE read from a tokenizer.json, against what Hugging Face `tokenizers`
/// encodes (Fixtures/tokenizer/make_tokenizer_fixture.py made the fixture).
@Suite("Byte-level BPE tokenizer.json against tokenizers")
struct TokenizerTests {
    static let expected: [(text: String, ids: [Int32])] = {
        guard let data = FileManager.default.contents(atPath: NumericsFixtures.path("tokenizer/expected.json")),
              let json = try? JSONValue.parse(Array(data)), let list = json.array else { return [] }
        return list.map { ($0["text"]?.string ?? "", ($0["ids"]?.array ?? []).compactMap { $0.number.map { Int32($0) } }) }
    }()

    static func tokenizer() throws -> BPETokenizer { try BPETokenizer.read(NumericsFixtures.path("tokenizer/tokenizer.json")) }

    @Test("every fixture text encodes to the ids tokenizers gives", arguments: 0..<14)
    func matchesTokenizers(index: Int) throws {
        try #require(Self.expected.count == 14, "the fixture's texts")
        let (text, ids) = Self.expected[index]
        #expect(try Self.tokenizer().encode(text) == ids, "\(text.debugDescription)")
    }

    @Test("GPT-2's byte table maps the 256 bytes to 256 distinct characters, printable ones to themselves")
    func byteTable() {
        #expect(Set(BPETokenizer.byteCharacters).count == 256)
        #expect(BPETokenizer.byteCharacters[Int(UInt8(ascii: "a"))] == "a")
        #expect(BPETokenizer.byteCharacters[Int(UInt8(ascii: " "))] == "Ġ")
    }

    @Test("a huge word or a long run of one character encodes, and decodes back to the same bytes")
    func hostileText() throws {
        let t = try Self.tokenizer()
        let vocabulary = Dictionary(uniqueKeysWithValues: t.vocabulary.map { ($1, $0) })
        let bytes = Dictionary(uniqueKeysWithValues: BPETokenizer.byteCharacters.enumerated().map { ($1, UInt8($0)) })
        for text in [String(repeating: "a", count: 200_000), String(repeating: "scheming", count: 20_000), String(repeating: " ", count: 50_000)] {
            let ids = try t.encode(text)
            let decoded = ids.compactMap { vocabulary[$0] }.joined().compactMap { bytes[String($0)] }
            #expect(String(decoding: decoded, as: UTF8.self) == text)
        }
    }

    @Test("a tokenizer of another kind, or a file that is not one, is refused with why", arguments: [
        (#"{"model": {"type": "WordPiece", "vocab": {}}}"#, "not BPE"),
        (#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}"#, "not ByteLevel"),
        (#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "normalizer": {"type": "NFC"}, "pre_tokenizer": {"type": "ByteLevel"}}"#, "normalizer"),
        (#"{"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}}"#, "not a whole number"),
        (#"{"model": {"type": "BPE", "vocab": {}, "merges": ["a b c"]}, "pre_tokenizer": {"type": "ByteLevel"}}"#, "not a pair"),
    ])
    func refused(json: String, message: String) throws {
        #expect { try BPETokenizer.parse(JSONValue.parse(Array(json.utf8)), path: "t.json") } throws: { "\($0)".contains(message) }
    }

    @Test("a byte the vocabulary cannot spell is an error, not a dropped character")
    func unknownSymbol() throws {
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}}"#
        let t = try BPETokenizer.parse(JSONValue.parse(Array(json.utf8)), path: "t.json")
        #expect(try t.encode("aaa") == [0, 0, 0])
        #expect(throws: BPETokenizer.UnknownSymbol.self) { try t.encode("ab") }
    }
}
