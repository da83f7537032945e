import WarrantCore

/// The argument as Mermaid flowcharts in GSN style: claims as rectangles,
/// strategies as parallelograms, evidence as circles, assumptions and
/// justifications as stadiums marked A and J, context rounded, defeaters as
/// hexagons; ◇ marks undeveloped nodes; fill colours give the status.
public enum MermaidDiagram {
    /// Above this many nodes, the report draws one diagram per leg.
    public static let maximumNodesPerDiagram = 60

    /// One diagram of the given nodes (all, when `only` is nil), in case order. Its cost is
    /// in the size of the diagram, not of the case (the report draws one per leg), given
    /// `statuses` computed once by the caller.
    public static func flowchart(_ analysis: CaseAnalysis, only: Set<String>? = nil,
                                 statuses given: [String: NodeStatus]? = nil) -> String {
        let c = analysis.assuranceCase
        let statuses = given ?? analysis.statusByID
        let nodes = only.map { ids in ids.compactMap { c.index[$0] }.sorted().map { c.nodes[$0] } } ?? c.nodes
        var ids: [String: String] = [:]
        for (k, node) in nodes.enumerated() { ids[node.id] = "n\(k)" }
        var lines = ["flowchart TD"]
        for node in nodes {
            lines.append("  " + shape(node, id: ids[node.id]!))
        }
        for node in nodes {
            let from = ids[node.id]!
            for ref in node.supportedBy { if let to = ids[ref.target] { lines.append("  \(from) --> \(to)") } }
            for ref in node.inContextOf { if let to = ids[ref.target] { lines.append("  \(from) -.-> \(to)") } }
            for ref in node.dischargedBy { if let to = ids[ref.target] { lines.append("  \(from) -. discharged by .-> \(to)") } }
            for ref in node.challenges {
                if let to = ids[ref.linkTarget ?? ref.target] ?? ids[ref.target] { lines.append("  \(from) --x \(to)") }
            }
        }
        lines.append("  classDef supported fill:#d4edda,stroke:#1e7e34,color:#111")
        lines.append("  classDef open fill:#fff3cd,stroke:#b8860b,color:#111")
        lines.append("  classDef defeated fill:#f8d7da,stroke:#b21f2d,color:#111")
        for status in NodeStatus.allCases {
            let members = nodes.filter { (statuses[$0.id] ?? .open) == status }.map { ids[$0.id]! }
            if !members.isEmpty { lines.append("  class \(members.joined(separator: ",")) \(status.rawValue)") }
        }
        return lines.joined(separator: "\n")
    }

    static func shape(_ node: ArgumentNode, id: String) -> String {
        // Escaping works scalar by scalar, so the pieces escaped apart give the bytes of the
        // whole; the "…" of a cut text and the " ◇" of an undeveloped node have nothing to
        // escape and are added after, so the rest of the label stays on the plain-ASCII path.
        var label = escape(node.id)
        if let text = node.text {
            let short = truncate(text.value, node.type == .evidence ? 40 : 70)
            label += short.hasSuffix("…") ? escape(": " + short.dropLast()) + "…" : escape(": " + short)
        }
        if node.undeveloped { label += " ◇" }
        switch node.type {
        case .claim: return "\(id)[\"\(label)\"]"
        case .strategy: return "\(id)[/\"\(label)\"/]"
        case .evidence: return "\(id)((\"\(label)\"))"
        case .assumption: return "\(id)([\"A · \(label)\"])"
        case .justification: return "\(id)([\"J · \(label)\"])"
        case .context: return "\(id)(\"\(label)\")"
        case .defeater: return "\(id){{\"\(label)\"}}"
        }
    }

    static func truncate(_ s: String, _ n: Int) -> String {
        // Printable ASCII (most labels): no newline to fold, and one character per byte.
        if MarkdownText.isPlainASCII(s) { return s.utf8.count <= n ? s : String(s.prefix(max(n - 1, 0))) + "…" }
        return truncateFolding(s, n)
    }

    /// ``truncate(_:_:)`` for any text: newlines folded to spaces, then cut to `n` characters.
    static func truncateFolding(_ s: String, _ n: Int) -> String {
        let flat = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= n ? flat : String(flat.prefix(n - 1)) + "…"
    }

    /// Mermaid labels: quotes and angle brackets as entity codes.
    static func escape(_ s: String) -> String {
        // Most labels are printable ASCII with nothing to escape: skip the per-character
        // Unicode lookups, which were a seventh of a 100,000-node report's time.
        if MarkdownText.isPlainASCII(s, excluding: { $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x23 || $0 == 0x60 }) { return s }
        return escapeEachScalar(s)
    }

    /// ``escape(_:)`` for any text, scalar by scalar. By scalars, not characters: a quote
    /// with a combining mark after it is one `Character`, and matching characters let such a
    /// quote through unescaped, to end the label early.
    static func escapeEachScalar(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var afterCR = false
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append(contentsOf: "#quot;".unicodeScalars)
            case "<": out.append(contentsOf: "#lt;".unicodeScalars)
            case ">": out.append(contentsOf: "#gt;".unicodeScalars)
            case "#": out.append(contentsOf: "#35;".unicodeScalars)
            case "`": out.append(contentsOf: "#96;".unicodeScalars)
            default:
                // A newline or a control character would end the label, or the diagram: one
                // space each, and one for CR LF, as for any one line break.
                if isControl(u) {
                    if !(u == "\n" && afterCR) { out.append(" ") }
                } else {
                    out.append(u)
                }
            }
            afterCR = u == "\r"
        }
        return String(out)
    }

    /// Unicode's control characters (general category Cc): U+0000–001F and U+007F–009F,
    /// a set Unicode guarantees never to change.
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value)
    }
}
