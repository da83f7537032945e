import Foundation
import WarrantCore
import WarrantJSON

/// JUnit XML that CI dashboards read. One test suite per case; in it, one test case per
/// gate criterion (each rule family: format, structure, evidence, assumptions, scheming,
/// status), failing when the family has a finding at or above the gate, and then one test
/// case per finding, named after its rule and carrying its `file` and `line`. Findings
/// that fail the gate are failures; warnings and notes pass but show their message in
/// `system-out`, so a dashboard lists them too.
public enum JUnit {
    public static func render(_ analyses: [CaseAnalysis]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let families = Rule.Family.allCases
        let total = analyses.map { families.count + $0.report.findings.count }.reduce(0, +)
        let failingTotal = analyses.map { a in
            failingFamilies(a).count + a.report.findings.filter { counts($0, a.report) }.count
        }.reduce(0, +)
        out += "<testsuites name=\"warrant gate\" tests=\"\(total)\" failures=\"\(failingTotal)\">\n"
        for analysis in analyses {
            let report = analysis.report
            let name = analysis.assuranceCase.header?.id?.value ?? report.inputs.joined(separator: " ")
            let failed = failingFamilies(analysis)
            let failedFindings = report.findings.filter { counts($0, report) }.count
            out += "  <testsuite name=\"\(xml(name))\" tests=\"\(families.count + report.findings.count)\" failures=\"\(failed.count + failedFindings)\" errors=\"0\" skipped=\"0\">\n"
            var properties = "<property name=\"level\" value=\"\(report.level.rawValue)\"/><property name=\"root_status\" value=\"\(report.rootStatus?.rawValue ?? "none")\"/>"
            if let store = analysis.evidence?.store {
                properties += "<property name=\"evidence_store\" value=\"\(xml(store.store))\"/><property name=\"evidence_records\" value=\"\(store.records)\"/>"
                properties += "<property name=\"evidence_head\" value=\"\(store.head ?? "")\"/><property name=\"evidence_head_pinned\" value=\"\(store.pinned)\"/>"
            }
            out += "    <properties>\(properties)</properties>\n"
            // The gate criteria: one per rule family.
            for family in families {
                let findings = report.findings.filter { counts($0, report) && Rules.find($0.rule)?.family == family }
                out += "    <testcase classname=\"warrant.gate\" name=\"\(family.rawValue)\""
                if findings.isEmpty {
                    out += "/>\n"
                } else {
                    out += ">\n      <failure message=\"\(xml("\(findings.count) finding\(findings.count == 1 ? "" : "s") at or above \(report.level.rawValue)"))\" type=\"\(family.rawValue)\"/>\n    </testcase>\n"
                }
            }
            // Each finding, at its place.
            for f in report.findings {
                let rule = Rules.find(f.rule)
                let place = f.location.map { " file=\"\(xml(ReportPaths.relative($0.file)))\" line=\"\($0.line)\"" } ?? ""
                let title = "\(f.rule) \(rule?.name ?? "")" + (f.node.map { " (\($0))" } ?? "")
                let text = "\(f.location.map { "\($0): " } ?? "")\(f.severity.rawValue): \(f.message)" + (f.hint.map { "\nhint: \($0)" } ?? "")
                out += "    <testcase classname=\"\(xml(f.rule))\" name=\"\(xml(title))\"\(place)>\n"
                if counts(f, report) {
                    out += "      <failure message=\"\(xml(f.message))\" type=\"\(f.severity.rawValue)\">\(xml(text))</failure>\n"
                } else {
                    out += "      <system-out>\(xml(text))</system-out>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func failingFamilies(_ a: CaseAnalysis) -> Set<Rule.Family> {
        Set(a.report.findings.filter { counts($0, a.report) }.compactMap { Rules.find($0.rule)?.family })
    }

    static func counts(_ f: Finding, _ report: CheckReport) -> Bool {
        f.severity == .error || (report.strict && f.severity == .warning)
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
