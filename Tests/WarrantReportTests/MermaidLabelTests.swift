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
        #expect(MermaidDiagram.escape(label) == MermaidDiagram.escapeEachCharacter(label))
    }

    /// The rule as first written: every character, a control anywhere in it by its Unicode
    /// general category.
    static func escapeByCategory(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "#": out += "#35;"
            case "`": out += "#96;"
            default:
                if ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { out += " " } else { out.append(ch) }
            }
        }
        return out
    }

    @Test("the ASCII control test inside the general rule", arguments: labels + ["\u{0}\u{1F} \u{20}\u{7E}\u{7F}", "\r", "\r\n\n", "\u{85}nel\u{2028}ls"])
    func controls(_ label: String) {
        #expect(MermaidDiagram.escapeEachCharacter(label) == Self.escapeByCategory(label))
    }

    @Test("a node's shape escapes the label as one text, though \"…\" and \" ◇\" are added after",
          arguments: labels + ["ends with an ellipsis…", "ü…", "\u{600}", "e\u{301}"], [false, true])
    func shape(_ text: String, undeveloped: Bool) {
        for type in [NodeType.claim, .evidence] {
            var node = ArgumentNode(id: "N\u{E9}1", type: type, typeWritten: "claim", location: SourceLocation(file: "c.yaml", line: 1, column: 1), module: "")
            node.text = LocatedString(text, at: SourceLocation(file: "c.yaml", line: 1, column: 1))
            node.undeveloped = undeveloped
            let whole = Self.escapeByCategory(node.id + ": " + MermaidDiagram.truncateFolding(text, type == .evidence ? 40 : 70) + (undeveloped ? " ◇" : ""))
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
