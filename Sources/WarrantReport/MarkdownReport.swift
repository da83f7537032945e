import Foundation
import WarrantCore
import WarrantEvidence
import WarrantJSON

/// The Markdown report a reviewer reads on GitHub: verdict, the argument as
/// Mermaid diagrams, per-leg statuses, the assumption and defeater ledgers, the
/// evidence table, completeness figures, findings, and plots. The same inputs
/// give the same bytes: nothing depends on the clock.
public struct MarkdownReport {
    public var analysis: CaseAnalysis
    /// File names of the plots written beside the report, with their titles.
    public var plots: [(file: String, title: String)] = []

    public init(analysis: CaseAnalysis) {
        self.analysis = analysis
    }

    /// The plots to write beside a report at `reportPath`: file path and SVG text.
    public static func plots(for analysis: CaseAnalysis, reportPath: String) -> [(path: String, title: String, svg: String)] {
        let records = Array(analysis.evidence?.records.values ?? [:].values).sorted { $0.id < $1.id }
        let base = (reportPath as NSString).deletingPathExtension
        return ReportPlots.all.compactMap { plot in
            plot.svg(records: records).map { ("\(base)-\(plot.name).svg", plot.title, $0) }
        }
    }

    public func render() -> String {
        var out = ""
        let c = analysis.assuranceCase
        let report = analysis.report
        let statuses = analysis.statusByID
        let title = c.header?.title?.value ?? c.header?.id?.value ?? report.inputs.joined(separator: ", ")
        out += "# Safety case report: \(cell(title))\n\n"

        // Verdict.
        let verdict = analysis.passed ? "✅ PASS" : "❌ FAIL"
        out += "| | |\n|---|---|\n"
        out += "| **Verdict** | \(verdict) at gate level `\(report.level.rawValue)`\(report.strict ? " (strict)" : "") |\n"
        // A pass below release with an unsupported root is a pass of the draft, not of the
        // case; say so where a reader looks first.
        let short = report.level < .release && report.rootStatus != .supported
            ? " (a release also needs the root supported and every blocking assumption closed)" : ""
        out += "| **Root claim** | \(code(report.root ?? "none")) is **\(report.rootStatus?.rawValue ?? "undetermined")**\(short) |\n"
        if let id = c.header?.id { out += "| **Case** | \(code(id.value)) |\n" }
        if let model = c.header?.modelPath {
            let sha = analysis.evidence.flatMap { _ in modelHash(model) }
            out += "| **Model** | \(code(model.value))\(sha.map { " (SHA-256 `\($0.prefix(16))…`)" } ?? "") |\n"
        }
        if let origin = c.header?.template { out += "| **Template** | \(origin.name) \(origin.version ?? "") |\n" }
        out += "| **Findings** | \(Self.counted(report.count(.error), "error")), \(Self.counted(report.count(.warning), "warning")), \(Self.counted(report.count(.info), "note")) |\n"
        let files = caseFiles()
        out += "| **Files** | \(files.map { code($0.path) }.joined(separator: ", ")) (hashes under Audit) |\n\n"

        // The argument.
        out += "## Argument\n\n"
        out += "Claims are rectangles, strategies parallelograms, evidence circles, assumptions (A) and justifications (J) "
        out += "stadiums, context rounded, defeaters hexagons; ◇ marks an undeveloped node. "
        out += "Green: supported; yellow: open; red: defeated. Dotted arrows attach context; crossed arrows challenge.\n\n"
        if c.nodes.count <= MermaidDiagram.maximumNodesPerDiagram || analysis.legs.isEmpty {
            out += "```mermaid\n\(MermaidDiagram.flowchart(analysis))\n```\n\n"
        } else {
            // One overview, then one diagram per leg.
            var overview = Set<String>()
            if let root = report.root, let r = c[root] {
                overview.insert(root)
                for ref in r.supportedBy + r.inContextOf { overview.insert(ref.target) }
                for leg in analysis.legs { overview.insert(leg.id) }
            }
            let statuses = analysis.statusByID
            out += "### Overview\n\n```mermaid\n\(MermaidDiagram.flowchart(analysis, only: overview, statuses: statuses))\n```\n\n"
            for leg in analysis.legs {
                let diagram = MermaidDiagram.flowchart(analysis, only: Set(analysis.subtree(of: leg.id)), statuses: statuses)
                out += "### Leg \(code(leg.id))\n\n```mermaid\n\(diagram)\n```\n\n"
            }
        }

        // Legs.
        let legs = analysis.legs
        if !legs.isEmpty {
            out += "## Legs\n\n| Leg | Family | Status | Open below | Defeated below | Claim |\n|---|---|---|---|---|---|\n"
            for leg in legs {
                let below = analysis.subtree(of: leg.id)
                let open = below.filter { statuses[$0] == .open }.count
                let defeated = below.filter { statuses[$0] == .defeated }.count
                out += "| \(code(leg.id)) | \(leg.scheming.family?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "–") | \(badge(statuses[leg.id] ?? .open)) | \(open) | \(defeated) | \(cell(leg.text?.value ?? "")) |\n"
            }
            out += "\n"
        }

        // Assumptions.
        out += "## Assumption ledger\n\n"
        if report.assumptions.isEmpty {
            out += "No assumptions.\n\n"
        } else {
            out += "| Assumption | Gate | Research | Status | Discharged by / waiver | Text |\n|---|---|---|---|---|---|\n"
            for a in report.assumptions {
                var by = a.dischargedBy.isEmpty ? "–" : a.dischargedBy.map { code($0) }.joined(separator: ", ")
                if let w = a.waiver {
                    by = "waived by \(cell(w.by ?? "?")) until \(w.until ?? "?")\(a.waiverExpired ? " (**expired**)" : ""): \(cell(w.reason ?? ""))"
                }
                let research = a.research?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "–"
                out += "| \(code(a.id)) | \(a.gate.rawValue) | \(research) | \(assumptionBadge(a.status)) | \(by) | \(cell(a.text ?? "")) |\n"
            }
            let open = report.assumptions.filter { $0.status == .open }
            out += "\n\(report.assumptions.count) assumptions: \(open.count) open (\(open.filter { $0.gate == .blocking }.count) blocking), "
            out += "\(report.assumptions.filter { $0.status == .discharged }.count) discharged, "
            out += "\(report.assumptions.filter { $0.status == .waived }.count) waived, "
            out += "\(report.assumptions.filter { $0.status == .invalidated }.count) invalidated.\n\n"
        }

        // Defeaters.
        let defeaters = c.nodes.filter { $0.type == .defeater }
        out += "## Defeater ledger\n\n"
        if defeaters.isEmpty {
            out += "No defeaters recorded.\n\n"
        } else {
            out += "| Defeater | Challenges | Status | Text |\n|---|---|---|---|\n"
            for d in defeaters {
                let state: String
                switch statuses[d.id] ?? .open {
                case .supported: state = "🔴 sustained"
                case .open: state = "🟡 open"
                case .defeated: state = "🟢 refuted"
                }
                out += "| \(code(d.id)) | \(d.challenges.map { code($0.written) }.joined(separator: ", ")) | \(state) | \(cell(d.text?.value ?? "")) |\n"
            }
            out += "\n"
        }

        // Evidence.
        let evidence = c.nodes.filter { $0.type == .evidence }
        out += "## Evidence\n\n"
        if let store = analysis.evidence?.store {
            out += "Judged against the evidence store \(code(store.store)): \(store.records) record\(store.records == 1 ? "" : "s"), "
                + (store.head.map { "head `\($0)`, its chain verified" } ?? (store.records == 0 ? "empty" : "which does not verify"))
                + (store.pinned ? ", the head the case pins or a chain extending it" : "")
                + (store.after_pin > 0 ? " (the \(store.after_pin) record\(store.after_pin == 1 ? "" : "s") after the pinned head \(store.after_pin == 1 ? "was" : "were") not used)" : "")
                + ".\n\n"
        }
        if evidence.isEmpty {
            out += "No evidence nodes.\n\n"
        } else {
            out += "| Node | State | Record | Kind | Model | Date | Requirements |\n|---|---|---|---|---|---|---|\n"
            for e in evidence {
                let state = analysis.evidence?.states[e.id]
                let record = analysis.evidence?.records[e.id]
                let stateText: String
                switch state {
                case .passing?: stateText = "🟢 passing"
                case .failing?: stateText = "🔴 failing"
                case .tampered?: stateText = "🔴 tampered"
                case .stale?: stateText = "🟡 stale"
                case .wrongKind?: stateText = "🟡 wrong kind"
                case .asserted?: stateText = "🟡 asserted"
                case .invalidTime?: stateText = "🟡 invalid time"
                case .missing?, nil: stateText = "🟡 missing"
                }
                let date = record.flatMap(\.evidenceTime).map { String($0.value.prefix(10)) } ?? "–"
                let model = record?.subject.map { s in cell(s.name ?? "") + (s.sha256.map { " `\($0.prefix(8))`" } ?? "") } ?? "–"
                let requirements = (e.evidence?.requirements ?? []).map { req -> String in
                    guard let record, case .value(let value, _) = record.requirementValue(req.metric) else { return "\(code(req.text)) (no value)" }
                    let ok = !value.isNaN && req.op.holds(value, req.value)
                    // A metric with a bootstrap interval shows it, so a reader sees how close the call is.
                    let interval = record.metrics[req.metric]?.interval.flatMap { i in
                        i.count == 2 ? " [95% CI \(DisplayNumber.format(i[0])), \(DisplayNumber.format(i[1]))]" : nil
                    } ?? ""
                    return "\(ok ? "✓" : "✗") \(req.metric) = \(DisplayNumber.format(value, distinctFrom: req.value))\(interval) (\(req.op.rawValue) \(DisplayNumber.format(req.value, digits: 17)))"
                }.joined(separator: "<br>")
                // Who vouches for the record: the trusted signers whose signatures verify.
                let signers = analysis.evidence?.signers[e.id] ?? []
                let signed = signers.isEmpty ? "" : "<br>signed by " + signers.map { cell($0) }.joined(separator: ", ")
                var recordCell = record.map { "`\($0.id.prefix(12))`" + signed + Self.sourceSummary($0) } ?? "–"
                var kind = record.map { cell($0.kind) } ?? "–"
                // A file pinned by hash is its own evidence: name the file and the hash.
                if record == nil, let file = e.evidence?.file {
                    recordCell = "file \(code(file.value))" + (e.evidence?.fileSHA256.map { " SHA-256 `\($0.value.prefix(16))…`" } ?? "")
                    kind = "pinned file"
                }
                out += "| \(code(e.id)) | \(stateText) | \(recordCell) | \(kind) | \(model) | \(date) | \(requirements.isEmpty ? "–" : requirements) |\n"
            }
            out += "\n"
        }

        // Completeness.
        let claims = c.nodes.filter { $0.type == .claim }
        let supportedClaims = claims.filter { statuses[$0.id] == .supported }.count
        let undeveloped = c.nodes.filter { $0.type.needsSupport && ($0.undeveloped || $0.supportedBy.isEmpty) }.count
        let passing = evidence.filter { analysis.evidence?.states[$0.id] == .passing }.count
        out += "## Completeness\n\n"
        out += "- Claims supported: \(supportedClaims) of \(claims.count) (\(percent(supportedClaims, claims.count)))\n"
        out += "- Undeveloped claims and strategies: \(undeveloped)\n"
        out += "- Evidence passing: \(passing) of \(evidence.count) (\(percent(passing, evidence.count)))\n"
        out += "- Defeaters open or sustained: \(defeaters.filter { statuses[$0.id] != .defeated }.count) of \(defeaters.count)\n\n"

        // Findings.
        out += "## Findings\n\n"
        let shown = report.findings.filter { $0.severity != .info }
        if shown.isEmpty {
            out += "No errors or warnings at level `\(report.level.rawValue)`.\n\n"
        } else {
            out += "| Severity | Rule | Where | Message |\n|---|---|---|---|\n"
            for f in shown {
                let name = Rules.find(f.rule)?.name ?? ""
                out += "| \(f.severity.rawValue) | `\(f.rule)` \(name) | \(f.location.map { code("\($0)") } ?? "–") | \(cell(f.message)) |\n"
            }
            out += "\n"
        }

        if !plots.isEmpty {
            out += "## Plots\n\n"
            for plot in plots { out += "![\(plot.title)](\(plot.file))\n\n" }
        }
        out += audit(files)
        out += "---\nMade by Warrant \(WarrantVersion.string) from \(report.inputs.joined(separator: ", ")).\n"
        return out
    }

    /// What an auditor needs to reproduce the verdict: the tool and rule versions, the date
    /// the evidence was judged on, the store and whether its chain verified, and every file
    /// the case was read from with the SHA-256 of the bytes read.
    func audit(_ files: [(path: String, sha256: String, builtIn: Bool)]) -> String {
        var out = "## Audit\n\n| | |\n|---|---|\n"
        out += "| **Warrant** | \(WarrantVersion.string) |\n"
        out += "| **Rule catalogue** | \(Rules.all.count) rules, SHA-256 `\(Self.catalogueDigest.prefix(16))…` |\n"
        out += "| **Evaluated on** | \(analysis.evaluationDay) (UTC; ages, expiries and waivers are judged on this day) |\n"
        if let store = analysis.evidence?.store {
            let state = store.head.map { "head `\($0)`; the hash chain verified" }
                ?? (store.records == 0 ? "empty" : "the hash chain does **not** verify")
            out += "| **Evidence store** | \(code(store.store)): \(store.records) record\(store.records == 1 ? "" : "s"), \(state)\(store.pinned ? "; extends the head the case pins" : "") |\n"
        } else {
            out += "| **Evidence store** | none (evidence was not judged) |\n"
        }
        out += "\n| Case file | SHA-256 |\n|---|---|\n"
        for f in files {
            out += "| \(code(f.path))\(f.builtIn ? " (built-in template)" : "") | `\(f.sha256)` |\n"
        }
        return out + "\n"
    }

    /// Every file the case was read from, the command-line inputs first, with the SHA-256
    /// of the bytes Warrant read.
    func caseFiles() -> [(path: String, sha256: String, builtIn: Bool)] {
        let sources = analysis.loaded.sources
        let inputs = analysis.report.inputs.filter { sources[$0] != nil }
        let rest = sources.keys.filter { !inputs.contains($0) }.sorted()
        return (inputs + rest).compactMap { path in
            sources[path].map { (path, Hashing.sha256Hex(Array($0.utf8)), analysis.loaded.libraryFiles.contains(path)) }
        }
    }

    /// A digest of the rule catalogue (ids, names, default severities), so an auditor can
    /// tell whether two verdicts were reached under the same rules.
    static let catalogueDigest: String = {
        let text = Rules.all.map { "\($0.id) \($0.name) \($0.family) \($0.severities.map(\.rawValue))" }.joined(separator: "\n")
        return Hashing.sha256Hex(Array(text.utf8))
    }()

    /// "1 error", "2 errors".
    static func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Where an imported record came from: the log or result file, its task and its samples.
    static func sourceSummary(_ record: EvidenceRecord) -> String {
        guard let source = record.source else { return "" }
        var parts: [String] = []
        if let path = source["path"]?.string { parts.append("from " + MarkdownText.escape(String(path.prefix(160)))) }
        if let task = source["task"]?.string { parts.append("task " + MarkdownText.escape(String(task.prefix(80)))) }
        if let done = source["completed_samples"]?.number, let total = source["total_samples"]?.number {
            parts.append("\(DisplayNumber.format(done)) of \(DisplayNumber.format(total)) samples")
        }
        return parts.isEmpty ? "" : "<br>" + parts.joined(separator: ", ")
    }

    func modelHash(_ model: LocatedString) -> String? {
        let path = CaseLoader.resolve(model.value, from: model.location.file)
        guard analysis.loaded.scope.problem(dataFile: path) == nil else { return nil }
        return try? Hashing.sha256Hex(fileAt: path)
    }

    func badge(_ s: NodeStatus) -> String {
        switch s {
        case .supported: return "🟢 supported"
        case .open: return "🟡 open"
        case .defeated: return "🔴 defeated"
        }
    }

    func assumptionBadge(_ s: AssumptionStatus) -> String {
        switch s {
        case .discharged: return "🟢 discharged"
        case .waived: return "🔵 waived"
        case .open: return "🟡 open"
        case .invalidated: return "🔴 invalidated"
        }
    }

    func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "–" : "\(Int((Double(a) / Double(b) * 100).rounded()))%" }

    /// Text from the case (or a record) safe inside a Markdown table cell: one line, no
    /// raw HTML (`<script>`, `<img onerror>`), no links or images that the text did not
    /// earn (`[x](javascript:...)`), no control characters.
    func cell(_ s: String) -> String {
        MarkdownText.escape(s)
    }

    /// An identifier or path as inline code: backticks cannot end the span early and a
    /// newline cannot start a new table row.
    func code(_ s: String) -> String {
        MarkdownText.code(s)
    }
}

/// Escaping for text that comes from a case or a record, which may be hostile.
public enum MarkdownText {
    public static func escape(_ s: String) -> String {
        // Printable ASCII with nothing to escape, as most text is: returned as it is,
        // without a Unicode property lookup per character.
        if isPlainASCII(s, excluding: isEscapedASCII) { return s }
        return escapeEachScalar(s)
    }

    /// Whether every byte of `s` is printable ASCII (space to tilde) and none is one that
    /// `special` names: no control character, no newline, one `Character` per byte.
    static func isPlainASCII(_ s: String, excluding special: (UInt8) -> Bool = { _ in false }) -> Bool {
        s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && !special($0) }
    }

    /// ``escape(_:)`` for any text, scalar by scalar.
    static func escapeEachScalar(_ s: String) -> String {
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

    /// Whether `escape` changes this ASCII byte: `& < > | [ ] ` * _ \`.
    static func isEscapedASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "\\"): return true
        default: return false
        }
    }

    public static func code(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "`": out += "'"
            case "|": out += "\\|"
            default:
                if scalar.properties.generalCategory == .control { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return "`" + out + "`"
    }
}
