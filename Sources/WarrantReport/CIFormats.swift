import Foundation
import WarrantCore
import WarrantJSON

/// SARIF 2.1.0 for code-scanning dashboards: rule metadata, and each finding with
/// its location in the YAML.
public enum SARIF {
    public static func render(_ analyses: [CaseAnalysis]) -> String {
        let rules = Rules.all
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results: [JSONValue] = []
        var artifacts: [String] = []
        for analysis in analyses {
            for f in analysis.report.findings {
                var result: [String: JSONValue] = [
                    "ruleId": .string(f.rule),
                    "level": .string(level(f.severity)),
                    "message": .object(["text": .string(f.message + (f.hint.map { " (\($0))" } ?? ""))]),
                ]
                if let i = index[f.rule] { result["ruleIndex"] = .number(Double(i)) }
                if let loc = f.location {
                    if !artifacts.contains(loc.file) { artifacts.append(loc.file) }
                    result["locations"] = .array([.object(["physicalLocation": .object([
                        "artifactLocation": .object(["uri": .string(uri(loc.file))]),
                        "region": .object(["startLine": .number(Double(loc.line)), "startColumn": .number(Double(loc.column))]),
                    ])])])
                }
                if !f.notes.isEmpty {
                    result["relatedLocations"] = .array(f.notes.enumerated().compactMap { k, note in
                        guard let l = note.location else { return nil }
                        return .object(["id": .number(Double(k)), "message": .object(["text": .string(note.message)]),
                                        "physicalLocation": .object(["artifactLocation": .object(["uri": .string(uri(l.file))]),
                                                                     "region": .object(["startLine": .number(Double(l.line)), "startColumn": .number(Double(l.column))])])])
                    })
                }
                results.append(.object(result))
            }
        }
        let driver: JSONValue = .object([
            "name": .string("warrant"),
            "version": .string(WarrantVersion.string),
            "informationUri": .string("https://github.com/warrant-safety/warrant"),
            "rules": .array(rules.map { r in
                .object([
                    "id": .string(r.id),
                    "name": .string(r.name),
                    "shortDescription": .object(["text": .string(r.summary)]),
                    "fullDescription": .object(["text": .string(r.explanation)]),
                    "help": .object(["text": .string(r.explanation + " (warrant explain \(r.id))")]),
                    "defaultConfiguration": .object(["level": .string(level(r.severity(at: .release)))]),
                    "properties": .object(["family": .string(r.family.rawValue), "tags": .array([.string(r.family.rawValue)])]),
                ])
            }),
        ])
        var run: [String: JSONValue] = [
            "tool": .object(["driver": driver]),
            "results": .array(results),
            "artifacts": .array(artifacts.map { .object(["location": .object(["uri": .string(uri($0))])]) }),
            "columnKind": .string("unicodeCodePoints"),
        ]
        // The evidence the verdict was about: each store and its verified chain head.
        let stores = analyses.compactMap { $0.evidence?.store }
        if !stores.isEmpty {
            run["properties"] = .object(["evidenceStores": .array(stores.map { s in
                .object(["store": .string(s.store), "records": .number(Double(s.records)),
                         "head": s.head.map(JSONValue.string) ?? .null, "pinned": .bool(s.pinned)])
            })])
        }
        let runValue: JSONValue = .object(run)
        let log: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([runValue]),
        ])
        return log.pretty + "\n"
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// Relative paths as URI references (spaces and the like percent-encoded).
    static func uri(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }
}

/// JUnit XML that CI dashboards read: one test suite per case, one test case per
/// rule; a rule with findings at or above the gate fails with every finding listed.
public enum JUnit {
    public static func render(_ analyses: [CaseAnalysis]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failingTotal = analyses.map { failing($0).count }.reduce(0, +)
        out += "<testsuites name=\"warrant gate\" tests=\"\(analyses.count * Rules.all.count)\" failures=\"\(failingTotal)\">\n"
        for analysis in analyses {
            let report = analysis.report
            let name = analysis.assuranceCase.header?.id?.value ?? report.inputs.joined(separator: " ")
            let failed = failing(analysis)
            out += "  <testsuite name=\"\(xml(name))\" tests=\"\(Rules.all.count)\" failures=\"\(failed.count)\" errors=\"0\" skipped=\"0\">\n"
            var properties = "<property name=\"level\" value=\"\(report.level.rawValue)\"/><property name=\"root_status\" value=\"\(report.rootStatus?.rawValue ?? "none")\"/>"
            if let store = analysis.evidence?.store {
                properties += "<property name=\"evidence_store\" value=\"\(xml(store.store))\"/><property name=\"evidence_records\" value=\"\(store.records)\"/>"
                properties += "<property name=\"evidence_head\" value=\"\(store.head ?? "")\"/><property name=\"evidence_head_pinned\" value=\"\(store.pinned)\"/>"
            }
            out += "    <properties>\(properties)</properties>\n"
            for rule in Rules.all {
                let findings = report.findings.filter { $0.rule == rule.id && counts($0, report) }
                out += "    <testcase classname=\"warrant.\(rule.family.rawValue)\" name=\"\(rule.id) \(rule.name)\""
                if findings.isEmpty {
                    out += "/>\n"
                } else {
                    out += ">\n      <failure message=\"\(xml("\(findings.count) finding\(findings.count == 1 ? "" : "s"): \(findings[0].message)"))\" type=\"\(rule.id)\">"
                    out += xml(findings.map { "\($0.location.map { "\($0): " } ?? "")\($0.severity.rawValue): \($0.message)" }.joined(separator: "\n"))
                    out += "</failure>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func counts(_ f: Finding, _ report: CheckReport) -> Bool {
        f.severity == .error || (report.strict && f.severity == .warning)
    }

    static func failing(_ a: CaseAnalysis) -> Set<String> {
        Set(a.report.findings.filter { counts($0, a.report) }.map(\.rule))
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters.
                if scalar.value < 0x20 { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
/// GitHub shows at most 10 annotations of each level per step, so the rest are
/// counted in a final notice (and all are in the job summary).
public enum GitHubAnnotations {
    public static let perLevelLimit = 10

    public static func render(_ analyses: [CaseAnalysis]) -> String {
        var out = ""
        var shown: [Severity: Int] = [:]
        var hidden = 0
        for analysis in analyses {
            for f in analysis.report.findings {
                let command: String
                switch f.severity {
                case .error: command = "error"
                case .warning: command = "warning"
                case .info: command = "notice"
                }
                if shown[f.severity, default: 0] >= perLevelLimit {
                    hidden += 1
                    continue
                }
                shown[f.severity, default: 0] += 1
                var properties: [String] = []
                if let l = f.location {
                    properties += ["file=\(property(l.file))", "line=\(l.line)", "col=\(l.column)"]
                }
                properties.append("title=\(property("\(f.rule) \(Rules.find(f.rule)?.name ?? "")"))")
                out += "::\(command) \(properties.joined(separator: ","))::\(data(f.message + (f.hint.map { " — \($0)" } ?? "")))\n"
            }
        }
        if hidden > 0 {
            out += "::notice title=warrant::\(hidden) more finding\(hidden == 1 ? "" : "s") not shown as annotations (GitHub shows \(perLevelLimit) per level); see the job summary\n"
        }
        return out
    }

    /// Escaping for the message part.
    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escaping for property values.
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
