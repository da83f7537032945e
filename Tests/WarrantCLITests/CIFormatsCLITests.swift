import Foundation
import Testing

/// SARIF and GitLab's Code Quality report as the dashboards that read them need them.
@Suite("CI formats: fingerprints, base URIs, invocations, GitLab")
struct CIFormatsCLITests {
    static let caseText = """
    warrant: 1
    case: { id: t }
    nodes:
      G1: { type: claim, text: a, supported_by: [S9] }
      G2: { type: claim, text: b, undeveloped: true }
    """

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func sarifResults(_ text: String) throws -> [[String: Any]] {
        let log = try #require(try json(text) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        return run["results"] as? [[String: Any]] ?? []
    }

    @Test("SARIF fingerprints stay when an unrelated line is inserted above; lines move; paths hang under CASEROOT")
    func fingerprints() throws {
        let dir = try ScratchCopy()
        try Data(Self.caseText.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let before = try CLI.run(["gate", "--format", "sarif", "case.yaml"], in: dir.url)
        #expect(before.status == 1)
        try Data(("# a comment\n" + Self.caseText).utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let after = try CLI.run(["gate", "--format", "sarif", "case.yaml"], in: dir.url)
        func prints(_ r: [[String: Any]]) -> [String] { r.compactMap { ($0["partialFingerprints"] as? [String: String])?["warrantFinding/v1"] } }
        func lines(_ r: [[String: Any]]) -> [Int] {
            r.compactMap { ((($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int }
        }
        let a = try sarifResults(before.stdout), b = try sarifResults(after.stdout)
        #expect(!prints(a).isEmpty && prints(a).count == a.count)
        #expect(Set(prints(a)) == Set(prints(b)))
        #expect(lines(a).map { $0 + 1 } == lines(b))
        #expect(before.stdout.contains("\"uriBaseId\": \"CASEROOT\"") && before.stdout.contains("\"originalUriBaseIds\""))
        #expect(before.stdout.contains("\"exitCode\": 1") && before.stdout.contains("\"automationDetails\""))
    }

    @Test("on exit 2 a SARIF log is still written, with the error as a notification; a file that is not SARIF is never replaced")
    func failureLog() throws {
        let dir = try ScratchCopy()
        let r = try CLI.run(["gate", "--format", "sarif", "missing.yaml", "-o", "out.sarif"], in: dir.url)
        #expect(r.status == 2)
        let log = try String(contentsOfFile: dir.path("out.sarif"), encoding: .utf8)
        #expect(log.contains("\"executionSuccessful\": false") && log.contains("\"toolExecutionNotifications\"") && log.contains("missing.yaml"))
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: dir.path("notes.txt")))
        let kept = try CLI.run(["gate", "--format", "sarif", "missing.yaml", "-o", "notes.txt"], in: dir.url)
        #expect(kept.status == 2)
        #expect(try String(contentsOfFile: dir.path("notes.txt"), encoding: .utf8) == "keep me\n")
    }

    @Test("GitLab's Code Quality report: one issue per finding, at its line, fingerprints without line numbers")
    func gitlab() throws {
        let dir = try ScratchCopy()
        try Data(Self.caseText.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let r = try CLI.run(["gate", "--format", "gitlab", "case.yaml"], in: dir.url)
        #expect(r.status == 1)
        let issues = try #require(try json(r.stdout) as? [[String: Any]])
        #expect(!issues.isEmpty)
        for issue in issues {
            for key in ["description", "check_name", "fingerprint", "severity", "location"] { #expect(issue[key] != nil, "\(key) in \(issue)") }
            let location = issue["location"] as? [String: Any]
            #expect(location?["path"] as? String == "case.yaml")
            #expect(["critical", "minor", "info"].contains(issue["severity"] as? String ?? ""))
        }
        try Data(("\n\n" + Self.caseText).utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let moved = try #require(try json(try CLI.run(["gate", "--format", "gitlab", "case.yaml"], in: dir.url).stdout) as? [[String: Any]])
        #expect(Set(issues.compactMap { $0["fingerprint"] as? String }) == Set(moved.compactMap { $0["fingerprint"] as? String }))
    }
}
