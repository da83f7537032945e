import Testing
@testable import WarrantCore

@Suite("YAML composer")
struct YAMLComposerTests {
    @Test("every node keeps its line and column")
    func locations() throws {
        let yaml = """
        a: 1
        b:
          - x
          - { c: "y" }
        """
        let root = try #require(try compose(yaml).root)
        #expect(root.location.line == 1 && root.location.column == 1)
        let pairs = try #require(root.mapping)
        #expect(pairs[1].key.location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        let list = try #require(pairs[1].value.sequence)
        #expect(list[0].location == SourceLocation(file: "t.yaml", line: 3, column: 5))
        let inner = try #require(list[1].mapping)
        #expect(inner[0].value.location == SourceLocation(file: "t.yaml", line: 4, column: 10))
        #expect(inner[0].value.string == "y")
    }

    @Test("columns count Unicode scalars, not bytes")
    func unicodeColumns() throws {
        let root = try #require(try compose("k: \"é€𐀀\"\nw: x\n").root)
        let pairs = try #require(root.mapping)
        #expect(pairs[0].value.string == "é€𐀀")
        #expect(pairs[1].value.location.column == 4)
    }

    @Test("duplicate keys are reported with both places, and the first value kept")
    func duplicateKeys() throws {
        let composed = try compose("a: 1\nb: 2\na: 3\n")
        let dup = try #require(composed.duplicateKeys.first)
        #expect(dup.key == "a")
        #expect(dup.first.line == 1 && dup.duplicate.line == 3)
        #expect(composed.root?["a"]?.string == "1")
        #expect(composed.root?.mapping?.count == 2)
    }

    @Test("exponential aliases are refused, quickly")
    func billionLaughs() throws {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let prev = "*a\(i - 1)"
            yaml += "a\(i): &a\(i) [\(Array(repeating: prev, count: 10).joined(separator: ", "))]\n"
        }
        #expect(throws: YAMLError.self) { try compose(yaml) }
        do {
            _ = try compose(yaml)
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message.contains("billion laughs"))
        }
    }

    @Test("a few aliases within the budget expand normally")
    func aliasesWithinBudget() throws {
        let root = try #require(try compose("base: &b { x: 1 }\nother: *b\n").root)
        #expect(root["other"]?["x"]?.string == "1")
    }

    @Test("deep nesting is bounded", arguments: [String(repeating: "[", count: 5000), String(repeating: "- ", count: 400) + "x"])
    func deepNesting(yaml: String) throws {
        do {
            _ = try compose(yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .limit || error.kind == .syntax)
        }
    }

    @Test("nesting up to the limit is accepted")
    func nestingWithinLimit() throws {
        var limits = YAMLLimits()
        limits.maxDepth = 50
        let yaml = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(try compose(yaml, limits: limits).root != nil)
    }

    @Test("a tab used for indentation is named as such")
    func tabs() throws {
        do {
            _ = try compose("a:\n\tb: 1\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.contains("tab"))
            #expect(error.location.line == 2)
        }
    }

    @Test("invalid UTF-8 is located")
    func invalidUTF8() throws {
        var bytes = Array("a: ok\nb: x".utf8)
        bytes.append(0xFF)
        bytes += Array("y\n".utf8)
        do {
            _ = try YAMLComposer.compose(bytes: bytes, file: "t.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .encoding)
            #expect(error.location == SourceLocation(file: "t.yaml", line: 2, column: 5))
            #expect(error.message.contains("0xFF"))
        }
    }

    @Test("UTF-8 validation", arguments: [
        ([0x41, 0xC3, 0xA9], nil as Int?),   // é
        ([0xE2, 0x82, 0xAC], nil),            // €
        ([0xF0, 0x90, 0x80, 0x80], nil),      // U+10000
        ([0x41, 0xC0, 0x80], 1),              // overlong
        ([0xED, 0xA0, 0x80], 0),              // surrogate
        ([0xE2, 0x82], 0),                    // truncated
        ([0xF4, 0x90, 0x80, 0x80], 0),        // above U+10FFFF
    ])
    func utf8Validation(bytes: [UInt8], firstInvalid: Int?) {
        #expect(UTF8Validation.firstInvalidOffset(bytes) == firstInvalid)
    }

    @Test("syntax errors carry libyaml's location and context")
    func syntaxError() throws {
        do {
            _ = try compose("a: [1, 2\nb: 3\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.hasPrefix("YAML syntax error"))
            #expect(error.location.line >= 1)
        }
    }

    @Test("a second document is refused")
    func multipleDocuments() throws {
        do {
            _ = try compose("a: 1\n---\nb: 2\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .multipleDocuments)
            #expect(error.location.line == 2)
        }
    }

    @Test("an alias to an undefined anchor is an error")
    func undefinedAlias() throws {
        #expect(throws: YAMLError.self) { try compose("a: *nothing\n") }
    }

    @Test("an empty file has no root")
    func empty() throws {
        #expect(try compose("").root == nil)
        #expect(try compose("# only a comment\n").root == nil)
    }

    @Test("scalars resolve under the YAML 1.2 core schema", arguments: [
        ("true", YAMLScalar.Resolved.bool(true)), ("False", .bool(false)), ("yes", .string),
        ("~", .null), ("null", .null), ("12", .int(12)), ("-3", .int(-3)), ("1.5", .float(1.5)),
        ("G1", .string), ("0x1F", .int(31)),
    ])
    func resolution(text: String, expected: YAMLScalar.Resolved) {
        #expect(YAMLScalar(value: text).resolved == expected)
    }

    @Test("quoted scalars are always strings")
    func quoted() throws {
        let root = try #require(try compose("a: \"true\"\nb: '1'\n").root)
        #expect(root["a"]?.scalar?.resolved == .string)
        #expect(root["b"]?.scalar?.resolved == .string)
    }

    @Test("CRLF line endings give the same lines")
    func crlf() throws {
        let root = try #require(try compose("a: 1\r\nb: 2\r\n").root)
        #expect(root.mapping?[1].key.location.line == 2)
    }
}
