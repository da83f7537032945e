import Foundation
import WarrantCore
import WarrantReport

/// The formats a gate verdict can be written in.
public enum GateFormat: String, Sendable, CaseIterable {
    /// Like `check`: findings as file:line:col, then one summary line per case.
    case text
    /// `schemas/check-output.schema.json`.
    case json
    /// SARIF 2.1.0, for code scanning.
    case sarif
    /// JUnit XML, one test case per rule.
    case junit
    /// GitHub workflow annotations.
    case github
    /// GitLab's Code Quality report (a JSON array of issues).
    case gitlab
}

/// `warrant gate` as a library: the verdict on checked cases in a CI format.
public enum GateOutput {
    /// Renders `analyses` in `format`. `level` is the level asked for (nil: each case's own),
    /// as the JSON output reports it.
    /// - Parameter hasJobSummary: GitHub format only: whether the report also goes to the job summary.
    public static func render(_ analyses: [CaseAnalysis], format: GateFormat, level: GateLevel?, strict: Bool,
                              hasJobSummary: Bool = false) -> String {
        switch format {
        case .text:
            var text = ""
            for a in analyses {
                var renderer = DiagnosticRenderer(sources: a.loaded.sources)
                for f in a.report.findings { text += renderer.render(f) + "\n" }
                if let line = a.storeLine { text += TerminalText.sanitize(line) + "\n" }
                text += TerminalText.sanitize("\(a.report.inputs.joined(separator: " ")): \(a.report.summaryLine)") + "\n"
            }
            return text
        case .json:
            return checkOutput(analyses, level: level, strict: strict).encoded() + "\n"
        case .sarif:
            return SARIF.render(analyses, exitCode: analyses.contains { !$0.passed } ? 1 : 0)
        case .junit:
            return JUnit.render(analyses)
        case .github:
            return GitHubAnnotations.render(analyses, hasJobSummary: hasJobSummary)
        case .gitlab:
            return GitLabCodeQuality.render(analyses)
        }
    }

    /// The JSON form of a check (`schemas/check-output.schema.json`).
    public static func checkOutput(_ analyses: [CaseAnalysis], level: GateLevel?, strict: Bool) -> CheckOutput {
        let failed = analyses.contains { !$0.passed }
        return CheckOutput(reports: analyses.map(\.report), level: level ?? analyses.first?.report.level ?? .draft,
                           strict: strict, exitCode: failed ? 1 : 0, evidence: analyses.map { $0.evidence?.store })
    }
}

/// GitHub's job summary: Markdown appended to the file `$GITHUB_STEP_SUMMARY` names.
public enum GitHubStepSummary {
    /// Appends the Markdown report of each case to the summary file at `path`. A summary
    /// that cannot be written is not a reason to fail the gate: it is skipped.
    public static func append(_ analyses: [CaseAnalysis], to path: String) {
        let markdown = analyses.map { MarkdownReport(analysis: $0).render() }.joined(separator: "\n")
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(markdown.utf8))
            try? handle.close()
        } else {
            try? Data(markdown.utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}
