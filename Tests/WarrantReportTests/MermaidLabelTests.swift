import Testing
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
        #expect(MermaidDiagram.escape(label) == MermaidDiagram.escapeEachCharacter(label))
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
