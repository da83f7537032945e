import Foundation
import WarrantCore
import WarrantJSON

/// GitLab's Code Quality report (`artifacts: reports: codequality:`): a JSON array of
/// issues with a description, the rule as `check_name`, a fingerprint without line numbers,
/// a severity (critical, minor or info) and the file and line. GitLab shows them in
/// the merge request, at the line, and tells new ones from old by the fingerprint.
public enum GitLabCodeQuality {
    public static func render(_ analyses: [CaseAnalysis]) -> String {
        let fingerprints = FindingFingerprint.all(analyses) { ReportPaths.relative($0) }
        var issues: [JSONValue] = []
        for (a, prints) in zip(analyses, fingerprints) {
            let fallback = a.report.inputs.first.map { ReportPaths.relative($0) } ?? ""
            for (f, fingerprint) in zip(a.report.findings, prints) {
                let path = f.location.map { ReportPaths.relative($0.file) } ?? fallback
                issues.append(.object([
                    "type": .string("issue"),
                    "check_name": .string(f.rule),
                    "description": .string(f.message + (f.hint.map { " (\($0))" } ?? "")),
                    "categories": .array([.string(Rules.find(f.rule)?.family.rawValue ?? "warrant")]),
                    "fingerprint": .string(fingerprint),
                    "severity": .string(severity(f.severity)),
                    "location": .object(["path": .string(path), "lines": .object(["begin": .number(Double(f.location?.line ?? 1))])]),
                ]))
            }
        }
        return JSONValue.array(issues).pretty + "\n"
    }

    /// Errors (findings that fail the gate) are critical; warnings minor; notes information.
    static func severity(_ s: Severity) -> String {
        switch s {
        case .error: return "critical"
        case .warning: return "minor"
        case .info: return "info"
        }
    }
}
