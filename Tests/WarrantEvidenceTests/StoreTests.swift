import WarrantJSON
import Foundation
import Testing
@testable import WarrantCore
@testable import WarrantEvidence

@Suite("The SQLite evidence store")
struct StoreTests {
    @Test("appended records form a chain that verifies")
    func chain() throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: dir.path("s/evidence.sqlite"), create: true)
        var ids: [String] = []
        for n in 0..<5 { ids.append(try store.append(sampleRecord(n)).id) }
        let records = try store.records()
        #expect(records.map(\.id) == ids)
        #expect(records[0].previous == nil)
        for k in 1..<5 { #expect(records[k].previous == ids[k - 1]) }
        #expect(try store.verify().isValid)
        #expect(try store.record(id: String(ids[2].prefix(10)))?.id == ids[2])
        #expect(try store.records(kind: "capability_eval").count == 5)
    }

    @Test("records cannot be updated or deleted through SQL")
    func immutable() throws {
        let dir = try Scratch()
        let path = dir.path("e.sqlite")
        do {
            let store = try EvidenceStore(path: path, create: true)
            try store.append(sampleRecord(1))
        }
        let update = try shell("/usr/bin/sqlite3", [path, "UPDATE records SET kind = 'x'"])
        #expect(update.status != 0 && update.output.contains("immutable"))
        let delete = try shell("/usr/bin/sqlite3", [path, "DELETE FROM records"])
        #expect(delete.status != 0)
    }

    @Test("a record altered behind Warrant's back is found by verify", arguments: [
        "UPDATE records SET body = replace(body, '\"accuracy\":{\"definition\":\"fraction correct\",\"interval\":[0,1],\"value\":0.03}', '\"accuracy\":{\"definition\":\"fraction correct\",\"interval\":[0,1],\"value\":0.01}') WHERE seq = 4",
        "DELETE FROM records WHERE seq = 4",
    ])
    func tampering(sql: String) throws {
        let dir = try Scratch()
        let path = dir.path("e.sqlite")
        var ids: [String] = []
        do {
            let store = try EvidenceStore(path: path, create: true)
            for n in 0..<6 { ids.append(try store.append(sampleRecord(n)).id) }
        }
        let result = try shell("/usr/bin/sqlite3", [path,
            "DROP TRIGGER records_are_immutable; DROP TRIGGER records_are_never_deleted; \(sql)"])
        #expect(result.status == 0, "\(result.output)")
        let verification = try EvidenceStore(path: path, create: false).verify()
        let problem = try #require(verification.firstProblem)
        #expect(problem.sequence == 4)
        #expect(problem.id == ids[sql.hasPrefix("DELETE") ? 4 : 3])
    }

    @Test("a file that is not a store is refused and left untouched", arguments: [
        "garbage", "empty", "truncated", "foreign", "newer",
    ])
    func refused(kind: String) throws {
        let dir = try Scratch()
        let path = dir.path("e.sqlite")
        switch kind {
        case "garbage":
            try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
        case "empty":
            try Data().write(to: URL(fileURLWithPath: path))
        case "truncated":
            do {
                let store = try EvidenceStore(path: path, create: true)
                for n in 0..<300 { try store.append(sampleRecord(n)) }
            }
            let full = fileBytes(path)
            try full.prefix(full.count / 3).write(to: URL(fileURLWithPath: path))
        case "foreign":
            _ = try shell("/usr/bin/sqlite3", [path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"])
        default:
            do { _ = try EvidenceStore(path: path, create: true) }
            _ = try shell("/usr/bin/sqlite3", [path, "UPDATE warrant_meta SET value = '99' WHERE key = 'schema_version'"])
        }
        let before = fileBytes(path)
        var failed = false
        do {
            let store = try EvidenceStore(path: path, create: false)
            _ = try store.verify()
            _ = try store.records()
        } catch {
            failed = true
            let text = "\(error)"
            #expect(text.contains("left untouched") || text.contains("SQLite failed"), "\(text)")
            if kind == "newer" { #expect(text.contains("newer Warrant")) }
        }
        #expect(failed)
        #expect(fileBytes(path) == before, "the file must not be modified")
    }

    @Test("a missing store is reported as missing, and not created, when only reading")
    func missing() throws {
        let dir = try Scratch()
        #expect(throws: StoreError.self) { try EvidenceStore(path: dir.path("none.sqlite"), create: false) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")))
    }
}

@Suite("Evidence-aware checking")
struct AssessorTests {
    /// A case with one claim supported by one evidence node whose fields are `evidence`.
    func makeCase(_ dir: Scratch, evidence: String, policy: String = "") throws -> String {
        try dir.write("model.bin", "weights v1")
        return try dir.write("case.yaml", """
        warrant: 1
        case:
          id: t
          system: { model: { path: model.bin } }
        \(policy)
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1:
            type: evidence
            text: b
        \(evidence)
        """)
    }

    func assess(_ path: String, store: EvidenceStore?, level: GateLevel = .release, now: Date = Clock.now())
        throws -> (EvidenceAssessment, CheckReport)
    {
        var loaded = try CaseLoader().load(paths: [path])[0]
        let assessment = try EvidenceAssessor(store: store, level: level, now: now, methodVersions: ["sae": "1"]).assess(loaded)
        loaded.findings += assessment.findings
        let report = Checker.check(loaded, options: CheckOptions(level: level, evidenceStatus: assessment.statusFunction))
        return (assessment, report)
    }

    func importLog(_ dir: Scratch, into store: EvidenceStore, kind: String = "sabotage_eval", model: Bool = true) throws {
        var options = InspectImporter.Options()
        options.kind = kind
        if model { options.modelFile = dir.path("model.bin") }
        let log = try dir.write("log.json", String(contentsOfFile: Fixtures.inspectLog("sabotage-success.json"), encoding: .utf8))
        try store.append(InspectImporter.record(fromLogAt: log, options: options, producer: testProducer))
    }

    @Test("an imported Inspect log that meets its requirement supports the claim")
    func passing() throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    source: { inspect: log.json }\n    accepts: [sabotage_eval]\n    require: [\"accuracy <= 0.2\"]")
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        try importLog(dir, into: store)
        let (a, report) = try assess(path, store: store)
        #expect(a.states["E1"] == .passing)
        #expect(report.rootStatus == .supported)
        #expect(!report.failed, "\(report.findings)")
    }

    @Test("states and their findings", arguments: [
        ("    source: { inspect: log.json }\n    require: [\"accuracy > 0.5\"]", "E02", "accuracy = 0, required > 0.5"),
        // A bound is shown as written, not as its 17-digit binary expansion (0.59999999999999998).
        ("    source: { inspect: log.json }\n    require: [\"accuracy >= 0.6\"]", "E02", "accuracy = 0, required >= 0.6"),
        ("    source: { inspect: log.json }\n    require: [\"recall >= 0.5\"]", "E02", "no metric 'recall'"),
        ("    source: { inspect: log.json }\n    accepts: [control_eval]", "E04", "record kind 'sabotage_eval'"),
        ("    source: { inspect: other.json }", "E01", "cannot be read"),
        ("    record: 0123456789abcdef", "E01", "no record"),
        ("    eval: { method: sae, dict_size: 512 }", "E01", "no record of this `sae` evaluation"),
        ("    source: { inspect: log.json }\n    max_age: 1d", "E03", "days old"),
        ("    source: { file: model.bin, sha256: \"\(String(repeating: "0", count: 64))\" }", "E05", "pins"),
    ])
    func states(evidence: String, rule: String, message: String) throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: evidence)
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        try importLog(dir, into: store)
        let later = Clock.parse("2027-06-01T00:00:00Z")!
        let (_, report) = try assess(path, store: store, now: later)
        let f = try #require(report.findings.first { $0.rule == rule }, "\(report.findings.map { "\($0.rule) \($0.message)" })")
        #expect(f.message.contains(message), "\(f.message)")
        #expect(f.severity == .error)
        #expect(report.rootStatus != .supported)
    }

    @Test("failing evidence under a defeater refutes it: a note, not a failed gate")
    func refutingEvidence() throws {
        let dir = try Scratch()
        // G1 stands on E1 (passing); D1 doubts G1 and rests on E2, which fails: D1 is refuted.
        try dir.write("model.bin", "weights v1")
        let path = try dir.write("case.yaml", """
        warrant: 1
        case:
          id: t
          system: { model: { path: model.bin } }
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1:
            type: evidence
            text: b
            source: { inspect: log.json }
            require: ["accuracy <= 0.2"]
          D1: { type: defeater, text: the agent could sabotage, challenges: [G1], supported_by: [E2] }
          E2:
            type: evidence
            text: sabotage succeeded in at least half the runs
            source: { inspect: log.json }
            require: ["accuracy >= 0.5"]
        """)
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        try importLog(dir, into: store)
        let (a, report) = try assess(path, store: store)
        #expect(a.states["E1"] == .passing)
        let e02 = try #require(report.findings.first { $0.rule == "E02" })
        #expect(e02.severity == .info)
        #expect(e02.message.contains("it supports only defeater 'D1', which is therefore refuted"), "\(e02.message)")
        #expect(report.statuses.first { $0.id == "D1" }?.status == .defeated)
        #expect(report.rootStatus == .supported)
        #expect(!report.failed, "\(report.findings.map { "\($0.rule) \($0.message)" })")
    }

    @Test("each failing predicate is reported at its own line")
    func failingPredicatesLocated() throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    source: { inspect: log.json }\n    require:\n      - \"accuracy >= 0.9\"\n      - accuracy > 0.95")
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        try importLog(dir, into: store)
        let lines = try assess(path, store: store).1.findings.filter { $0.rule == "E02" }.compactMap { $0.location?.line }
        #expect(lines.count == 2)
        #expect(Set(lines).count == 2, "each E02 points at its own predicate: \(lines)")
    }

    @Test("changing the model file makes the evidence stale")
    func modelChanged() throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    source: { inspect: log.json }")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        try importLog(dir, into: store)
        #expect(try assess(path, store: store).0.states["E1"] == .passing)
        try dir.write("model.bin", "weights v2")
        let (a, report) = try assess(path, store: store)
        guard case .stale(let why)? = a.states["E1"] else { Issue.record("not stale: \(String(describing: a.states["E1"]))"); return }
        #expect(why.contains("another model"))
        #expect(report.findings.contains { $0.rule == "E03" })
    }

    @Test("a pinned file that matches its hash passes")
    func pinnedFile() throws {
        let dir = try Scratch()
        try dir.write("report.pdf", "%PDF-1.4 red team report")
        let sha = try Hashing.sha256Hex(fileAt: dir.path("report.pdf"))
        let path = try makeCase(dir, evidence: "    source: { file: report.pdf, sha256: \(sha) }")
        #expect(try assess(path, store: nil).0.states["E1"] == .passing)
    }

    @Test("an evaluation recipe finds its record by method, configuration and model")
    func recipe() throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    eval: { method: sae, dict_size: 512, loss: e2e }\n    require: [\"kl <= 0.05\"]")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        var r = EvidenceRecord(kind: "interpretability.sae", producer: .init(tool: "warrant", version: "1", time: "2026-11-26T12:00:00Z"))
        r.method = .init(name: "sae", version: "1")
        r.provenance = .derived
        r.configuration = ["dict_size": .number(512), "loss": .string("e2e"), "seed": .number(0)]
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        r.metrics["kl"] = .init(0.01)
        try store.append(r)
        #expect(try assess(path, store: store).0.states["E1"] == .passing)
    }

    @Test("a broken chain marks passing evidence tampered")
    func brokenChain() throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    source: { inspect: log.json }")
        let storePath = dir.path("s.sqlite")
        do {
            let store = try EvidenceStore(path: storePath, create: true)
            try store.append(sampleRecord(1))
            try importLog(dir, into: store)
        }
        _ = try shell("/usr/bin/sqlite3", [storePath, "DROP TRIGGER records_are_immutable; UPDATE records SET body = replace(body, 'record 1', 'record 9') WHERE seq = 1"])
        let (a, report) = try assess(path, store: try EvidenceStore(path: storePath, create: false))
        #expect(a.states["E1"] == .tampered("the store's hash chain is broken or does not extend the pinned head"))
        #expect(report.findings.contains { $0.rule == "E05" && $0.message.contains("record #1") })
    }

    @Test("requirement syntax errors are located", arguments: [
        ("accuracy <== 0.2", 9), ("<= 0.2", 0), ("accuracy <= high", 12), ("accuracy 0.2", 9),
    ])
    func requirementSyntax(text: String, offset: Int) throws {
        let dir = try Scratch()
        let path = try makeCase(dir, evidence: "    require: [\"\(text)\"]")
        let loaded = try CaseLoader().load(paths: [path])[0]
        let f = try #require(loaded.findings.first { $0.rule == "F13" })
        #expect(f.location?.line == 11)
        // The quoted scalar starts at column 15; its text at 16.
        #expect(f.location?.column == 16 + offset)
    }
}

@Suite("Requirement predicates")
struct RequirementParsingTests {
    static let at = SourceLocation(file: "case.yaml", line: 3, column: 7)

    @Test("metric names may hold `->`, as LIB's edge metrics do (regression)", arguments: [
        ("lib.edges.hidden.0->hidden.1.edges_99 <= 64", "lib.edges.hidden.0->hidden.1.edges_99", Requirement.Operator.lessOrEqual, 64.0),
        ("loss->0.5", "loss-", .greater, 0.5),
        ("a->b>=1", "a->b", .greaterOrEqual, 1),
        ("match/accuracy >= 0.999", "match/accuracy", .greaterOrEqual, 0.999),
        ("hellaswag/acc,none.lower >= 0.4", "hellaswag/acc,none.lower", .greaterOrEqual, 0.4),
    ])
    func arrows(text: String, metric: String, op: Requirement.Operator, value: Double) throws {
        let r = try Requirement.parse(text, at: Self.at).get()
        #expect(r.metric == metric)
        #expect(r.op == op)
        #expect(r.value == value)
    }

    @Test("malformed predicates are refused with the column of the problem", arguments: [
        ("kl <", 4), ("kl <= x", 6), ("kl => 1", 3), ("kl <= 1 2", 8),
    ])
    func malformed(text: String, offset: Int) {
        guard case .failure(let e) = Requirement.parse(text, at: Self.at) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(e.offset == offset, "\(e.message)")
    }
}
