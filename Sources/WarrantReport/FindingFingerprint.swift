import Foundation
import WarrantCore
import WarrantEvidence

/// Fingerprints of findings that survive edits elsewhere in the file: the rule, the file,
/// the node and the message (with any `line:col` in it taken out), never the finding's own
/// line. Code-scanning dashboards (SARIF `partialFingerprints`) and GitLab's Code Quality
/// widget use them to tell a moved finding from a new one.
enum FindingFingerprint {
    /// The fingerprint of each finding of `analyses`, in order; identical findings are told
    /// apart by their occurrence number.
    static func all(_ analyses: [CaseAnalysis], path: (String) -> String) -> [[String]] {
        var seen: [String: Int] = [:]
        return analyses.map { a in
            a.report.findings.map { f in
                let message = f.message.replacingOccurrences(of: #":\d+:\d+"#, with: "", options: .regularExpression)
                let key = [f.rule, f.location.map { path($0.file) } ?? "", f.node ?? "", message].joined(separator: "\u{0}")
                let n = seen[key, default: 0]
                seen[key] = n + 1
                return Hashing.sha256Hex(Array((key + "\u{0}\(n)").utf8))
            }
        }
    }
}

/// Paths in CI reports: relative to the folder the gate ran in when they lie inside it.
enum ReportPaths {
    static func relative(_ path: String, to base: String = FileManager.default.currentDirectoryPath) -> String {
        guard path.hasPrefix("/") else { return path }
        let root = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
