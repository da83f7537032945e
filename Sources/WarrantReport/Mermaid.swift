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
        // The "…" of a cut text and the " ◇" of an undeveloped node have nothing to escape and
        // never join the character before them into one, so they are added after escaping:
        // the same bytes, and the rest of the label stays on the plain-ASCII path.
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
        return escapeEachCharacter(s)
    }

    /// ``escape(_:)`` for any text, character by character.
    static func escapeEachCharacter(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "#": out += "#35;"
            case "`": out += "#96;"
            default:
                // A newline or a control character would end the label, or the diagram. An
                // ASCII character (CR LF included) is a control exactly below 0x20 or at 0x7F.
                if let ascii = ch.asciiValue {
                    if ascii < 0x20 || ascii == 0x7F { out += " " } else { out.append(ch) }
                } else if ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    out += " "
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }
}
