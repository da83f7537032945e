import Testing
import WarrantCore
@testable import WarrantReport

/// The plain-ASCII fast paths of Mermaid's label functions give exactly the bytes of the
/// general, per-character rules they skip (which the report tests pin down themselves).
@Suite("Mermaid labels: the ASCII fast path changes no byte")
struct MermaidLabelTests {
    static let labels = [
        "", "G1", "The model cannot sabotage the research codebase it works on.", "a \"quoted\" <b>bold</b> #tag `code`",
        "tab\there", "line\nbreak", "crlf\r\nend", "del\u{7F}x", "é accent", "emoji 🧪 and ZWJ 👩‍🔬", "~ ! $ % & * ( ) { } [ ] ; : , . / ? \\ | ^ _ + = -",
        String(repeating: "x", count: 80), String(repeating: "y", count: 81), String(repeating: "ü", count: 90),
    ]

    @Test("escape", arguments: labels)
    func escape(_ label: String) {
        #expect(MermaidDiagram.escape(label) == MermaidDiagram.escapeEachScalar(label))
    }

    @Test("the control test is Unicode's general category Cc", arguments: [0..<0x3000, 0xD7F0..<0xE100, 0x1F000..<0x1F100, 0xE0000..<0xE0100])
    func controls(_ values: Range<UInt32>) {
        for v in values {
            guard let u = Unicode.Scalar(v) else { continue }
            #expect(MermaidDiagram.isControl(u) == (u.properties.generalCategory == .control), "U+\(String(v, radix: 16))")
        }
    }

    @Test("a special character with a combining mark or a prepended mark is still escaped (regression: matched as one Character, it was not)",
          arguments: [("\"", "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("#", "#35;"), ("`", "#96;")])
    func specialsInClusters(_ special: String, _ entity: String) {
        for (before, after) in [("a", "\u{301}b"), ("\u{600}", "x"), ("", "\u{200D}\u{1F9EA}")] {
            #expect(MermaidDiagram.escape(before + special + after) == before + entity + after)
        }
        #expect(MermaidDiagram.escape("x\r\ny\n\rz\u{85}") == "x y  z ")
    }

    @Test("a node's shape escapes the label as one text, though \"…\" and \" ◇\" are added after",
          arguments: labels + ["ends with an ellipsis…", "ü…", "\u{600}", "e\u{301}"], [false, true])
    func shape(_ text: String, undeveloped: Bool) {
        for type in [NodeType.claim, .evidence] {
            var node = ArgumentNode(id: "N\u{E9}1", type: type, typeWritten: "claim", location: SourceLocation(file: "c.yaml", line: 1, column: 1), module: "")
            node.text = LocatedString(text, at: SourceLocation(file: "c.yaml", line: 1, column: 1))
            node.undeveloped = undeveloped
            let whole = MermaidDiagram.escapeEachScalar(node.id + ": " + MermaidDiagram.truncateFolding(text, type == .evidence ? 40 : 70) + (undeveloped ? " ◇" : ""))
            let shape = MermaidDiagram.shape(node, id: "n")
            #expect(shape.contains("\"" + whole + "\""), "\(shape) lacks \(whole)")
        }
    }

    @Test("truncate", arguments: labels, [1, 5, 60, 80, 200])
    func truncate(_ label: String, _ n: Int) {
        #expect(MermaidDiagram.truncate(label, n) == MermaidDiagram.truncateFolding(label, n))
    }
}

@Suite("Markdown text: the ASCII fast path changes no byte")
struct MarkdownEscapeTests {
    @Test("escape", arguments: MermaidLabelTests.labels + ["a & b | c", "[link](x) *bold* _it_ \\ back", "plain words, numbers 1.5e-3 and (parens)"])
    func escape(_ text: String) {
        #expect(MarkdownText.escape(text) == MarkdownText.escapeEachScalar(text))
    }
}
