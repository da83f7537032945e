import Foundation
import WarrantCore
import WarrantJSON

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
/// GitHub shows at most 10 annotations of each level per step, so the rest are printed
/// to the log as plain `file:line:col: severity[rule]: message` lines, none lost, and
/// counted in a final notice (which points at the job summary when there is one).
public enum GitHubAnnotations {
    public static let perLevelLimit = 10

    /// - Parameter hasJobSummary: whether the full report also goes to the job summary
    ///   (`$GITHUB_STEP_SUMMARY` is set), so the notice only points there when it exists.
    public static func render(_ analyses: [CaseAnalysis], hasJobSummary: Bool = false) -> String {
        var out = ""
        var shown: [Severity: Int] = [:]
        var hidden = 0
        var plain = ""
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
                    let at = f.location.map { "\($0): " } ?? ""
                    plain += TerminalText.sanitize("\(at)\(f.severity.rawValue)[\(f.rule)]: \(f.message)" + (f.hint.map { " (\($0))" } ?? "")) + "\n"
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
            out += plain
            out += "::notice title=warrant::\(hidden) more finding\(hidden == 1 ? "" : "s") not shown as annotations (GitHub shows \(perLevelLimit) per level); "
                + (hasJobSummary ? "they are printed above and in the job summary\n" : "they are printed above\n")
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
