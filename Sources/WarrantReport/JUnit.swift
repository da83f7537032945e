import Foundation
import WarrantCore
import WarrantJSON

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
