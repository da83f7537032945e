import Testing
@testable import WarrantReport

/// The plain-ASCII fast paths of Mermaid's label functions give exactly the bytes of the
/// general, per-character rules they skip.
@Suite("Mermaid labels: the ASCII fast path changes no byte")
struct MermaidLabelTests {
    /// The general rules, as they were before the fast path.
    static func referenceEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "#": out += "#35;"
            case "`": out += "#96;"
            default: out += ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) ? " " : String(ch)
            }
        }
        return out
    }

    static func referenceTruncate(_ s: String, _ n: Int) -> String {
        let flat = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= n ? flat : String(flat.prefix(n - 1)) + "…"
    }

    static let labels = [
        "", "G1", "The model cannot sabotage the research codebase it works on.", "a \"quoted\" <b>bold</b> #tag `code`",
        "tab\there", "line\nbreak", "crlf\r\nend", "del\u{7F}x", "é accent", "emoji 🧪 and ZWJ 👩‍🔬", "~ ! $ % & * ( ) { } [ ] ; : , . / ? \\ | ^ _ + = -",
        String(repeating: "x", count: 80), String(repeating: "y", count: 81), String(repeating: "ü", count: 90),
    ]

    @Test("escape", arguments: labels)
    func escape(_ label: String) {
        #expect(MermaidDiagram.escape(label) == Self.referenceEscape(label))
    }

    @Test("truncate", arguments: labels, [1, 5, 60, 80, 200])
    func truncate(_ label: String, _ n: Int) {
        #expect(MermaidDiagram.truncate(label, n) == Self.referenceTruncate(label, n))
    }
}

@Suite("Markdown text: the ASCII fast path changes no byte")
struct MarkdownEscapeTests {
    static func reference(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t": out += " "
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "\\|"
            case "[", "]", "`", "*", "_", "\\": out += "\\" + String(scalar)
            default:
                if scalar.properties.generalCategory == .control { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    @Test("escape", arguments: MermaidLabelTests.labels + ["a & b | c", "[link](x) *bold* _it_ \\ back", "plain words, numbers 1.5e-3 and (parens)"])
    func escape(_ text: String) {
        #expect(MarkdownText.escape(text) == Self.reference(text))
    }
}
