import Foundation
import Testing

/// The integrity attacks as a user or attacker would make them, through the command line.
@Suite("warrant evidence: attacks on the verdict")
struct IntegrityCLITests {
    static let example = EvidenceCLITests.example

    func importedExample() throws -> ScratchCopy {
        let dir = try ScratchCopy(of: Self.example)
        try EvidenceCLITests().importExample(dir)
        return dir
    }

    func sqlite(_ dir: ScratchCopy, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [dir.path(".warrant/evidence.sqlite"),
                       "DROP TRIGGER IF EXISTS records_are_immutable; DROP TRIGGER IF EXISTS records_are_never_deleted; " + sql]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test("a record hand-written from a real one with a better accuracy does not pass the release gate")
    func handWritten() throws {
        let dir = try importedExample()
        let id = try CLI.run(["evidence", "list", "--case", "case.yaml", "--format", "json"], in: dir.url).stdout
        let records = try #require(try JSONSerialization.jsonObject(with: Data(id.utf8)) as? [[String: Any]])
        var forged = try #require(records.first)
        forged.removeValue(forKey: "id")
        forged.removeValue(forKey: "previous")
        var metrics = try #require(forged["metrics"] as? [String: Any])
        metrics["accuracy"] = ["value": 0.01]
        metrics["includes/accuracy"] = ["value": 0.01]
        forged["metrics"] = metrics
        try JSONSerialization.data(withJSONObject: forged).write(to: dir.url.appendingPathComponent("forged.json"))
        let imported = try CLI.run(["evidence", "import", "json", "forged.json", "--case", "case.yaml"], in: dir.url)
        #expect(imported.status == 0, "\(imported.stderr)")
        let gate = try CLI.run(["gate", "--level", "release", "case.yaml"], in: dir.url)
        #expect(gate.status == 1, "\(gate.stdout)")
        #expect(gate.stdout.contains("error[E05]: evidence 'E1' does not verify: record"), "\(gate.stdout)")
        #expect(gate.stdout.contains("the record says accuracy = 0.01, the log says 0"), "\(gate.stdout)")
        let shown = try CLI.run(["evidence", "show", String(imported.stdout.prefix(12)), "--case", "case.yaml"], in: dir.url)
        #expect(shown.stdout.contains("\"provenance\": \"asserted\""), "import json marks what it imports as typed in")
    }

    @Test("WARRANT_NOW that is not a time is exit 2", arguments: ["garbage", "2026-02-30"])
    func badClock(value: String) throws {
        let r = try CLI.run(["check", "examples/scheming-sketch/case.yaml"], environment: ["WARRANT_NOW": value])
        #expect(r.status == 2)
        #expect(r.stderr.contains("WARRANT_NOW is '\(value)', which is not an ISO 8601 time"), "\(r.stderr)")
    }

    @Test("a record from the future, or with no real time, is refused at import", arguments: ["9999-01-01T00:00:00Z", "x"])
    func futureRecord(time: String) throws {
        let dir = try ScratchCopy()
        try Data(#"{"kind": "control_eval", "producer": {"tool": "me", "version": "1", "time": "\#(time)"}, "metrics": {"m": 1}}"#.utf8)
            .write(to: dir.url.appendingPathComponent("r.json"))
        let r = try CLI.run(["evidence", "add", "r.json", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("`producer.time`"), "\(r.stderr)")
        if FileManager.default.fileExists(atPath: dir.path("e.sqlite")) {
            #expect(try CLI.run(["evidence", "list", "--store", "e.sqlite"], in: dir.url).stdout.contains("no records"))
        }
    }

    @Test("an invalidated log is refused unless --allow-invalidated")
    func invalidatedLog() throws {
        let dir = try ScratchCopy()
        let log = CLI.repository.appendingPathComponent("Tests/WarrantEvidenceTests/Fixtures/inspect/sabotage-invalidated.json").path
        let refused = try CLI.run(["evidence", "import", "inspect", log, "--store", "e.sqlite"], in: dir.url)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--allow-invalidated"), "\(refused.stderr)")
        let allowed = try CLI.run(["evidence", "import", "inspect", log, "--store", "e.sqlite", "--allow-invalidated"], in: dir.url)
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test("a case that pins the head passes while the store extends it, and fails when the last record is deleted")
    func pinnedHead() throws {
        let dir = try importedExample()
        let head = try CLI.run(["evidence", "head", "--case", "case.yaml", "--format", "yaml"], in: dir.url)
        #expect(head.status == 0, "\(head.stderr)")
        let pin = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pin.hasPrefix("evidence_head: { records: 1, id: \""))
        let casePath = dir.url.appendingPathComponent("case.yaml")
        let text = try String(contentsOf: casePath, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "policy: { level: release }", with: "policy: { level: release, \(pin) }").utf8)
            .write(to: casePath)
        let passing = try CLI.run(["check", "case.yaml"], in: dir.url)
        #expect(passing.status == 0, "\(passing.stdout)")
        #expect(passing.stdout.contains("evidence: .warrant/evidence.sqlite: 1 record, head "), "\(passing.stdout)")
        #expect(passing.stdout.contains("(extends the pinned head)"))
        let json = try CLI.run(["check", "--format", "json", "case.yaml"], in: dir.url)
        #expect(json.stdout.contains("\"pinned\" : true"), "\(json.stdout)")
        let headID = String(pin.split(separator: "\"")[1])
        let sarif = try CLI.run(["gate", "--format", "sarif", "case.yaml"], in: dir.url)
        #expect(sarif.stdout.contains("\"evidenceStores\"") && sarif.stdout.contains(headID), "SARIF names the head it judged")
        let junit = try CLI.run(["gate", "--format", "junit", "case.yaml"], in: dir.url)
        #expect(junit.stdout.contains("<property name=\"evidence_head\" value=\"\(headID)\"/>"))
        let report = try CLI.run(["report", "case.yaml"], in: dir.url)
        #expect(report.stdout.contains("head `\(headID)`, its chain verified, the head the case pins"), "\(report.stdout)")

        try sqlite(dir, "DELETE FROM records")
        let verify = try CLI.run(["evidence", "verify", "--case", "case.yaml"], in: dir.url)
        #expect(verify.status == 1 && verify.stdout.contains("lacks its trigger"), "deleting needed the triggers dropped: \(verify.stdout)")
        let failing = try CLI.run(["gate", "case.yaml"], in: dir.url)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("error[E05]: the store holds 0 records, but the case pins a chain of 1"), "\(failing.stdout)")
    }

    @Test("a record body replaced by garbage is a tampered finding, not missing evidence")
    func garbageBody() throws {
        let dir = try importedExample()
        try sqlite(dir, "UPDATE records SET body = 'garbage'")
        let r = try CLI.run(["check", "case.yaml"], in: dir.url)
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stdout.contains("error[E05]: the evidence store .warrant/evidence.sqlite does not verify: record #1"), "\(r.stdout)")
    }

    @Test("a case in a folder named like the built-in templates is read from disk, and -o cannot overwrite it")
    func templatesFolder() throws {
        let dir = try ScratchCopy()
        let folder = dir.url.appendingPathComponent("templates/scheming")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("warrant: 1\ncase: { id: local, uses: [part.yaml] }\nnodes:\n  G1: { type: claim, text: a, supported_by: [G2] }\n".utf8)
            .write(to: folder.appendingPathComponent("case.yaml"))
        try Data("warrant: 1\nmodule: { id: part }\nnodes:\n  G2: { type: claim, text: from disk, undeveloped: true }\n".utf8)
            .write(to: folder.appendingPathComponent("part.yaml"))
        let before = try Data(contentsOf: folder.appendingPathComponent("case.yaml"))
        let check = try CLI.run(["check", "--format", "json", "templates/scheming/case.yaml"], in: dir.url)
        #expect(check.stdout.contains("\"id\" : \"G2\""), "part.yaml came from disk: \(check.stdout)")
        for arguments in [["report", "templates/scheming/case.yaml", "-o", "templates/scheming/case.yaml"],
                          ["gate", "--format", "sarif", "templates/scheming/case.yaml", "-o", "templates/scheming/part.yaml"]] {
            let r = try CLI.run(arguments, in: dir.url)
            #expect(r.status == 2, "\(arguments): \(r.stderr)")
        }
        #expect(try Data(contentsOf: folder.appendingPathComponent("case.yaml")) == before)
    }

    @Test("eight writers on a store that does not exist yet all succeed, and the chain verifies")
    func eightCreators() throws {
        let dir = try ScratchCopy()
        let processes = try (0..<8).map { w -> Process in
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["evidence", "add", "--kind", "control_eval", "--metric", "m=\(w)", "--store", "new/e.sqlite"]
            p.currentDirectoryURL = dir.url
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 8))
        let verify = try CLI.run(["evidence", "verify", "--store", "new/e.sqlite"], in: dir.url)
        #expect(verify.stdout.contains("8 records verify; the chain is intact"), "\(verify.stdout) \(verify.stderr)")
    }
}
