import WarrantJSON
import Foundation
import Testing
@testable import WarrantCore
@testable import WarrantEvidence

/// The attacks of "A verdict no one can fool", each reproduced and shown detected.
/// Edits to the store are made as an attacker would: with the `sqlite3` command line,
/// after dropping the immutability triggers.
@Suite("Integrity: every stored fact re-verified")
struct IntegrityTests {
    let helper = AssessorTests()
    static let sqlite3 = "/usr/bin/sqlite3"

    /// A case whose one evidence node links the fixture log, imported into a fresh store.
    func importedCase(_ dir: Scratch, evidence: String = "    source: { inspect: log.json }\n    require: [\"accuracy <= 0.2\"]",
                      policy: String = "") throws -> (path: String, store: String) {
        let path = try helper.makeCase(dir, evidence: evidence, policy: policy)
        let storePath = dir.path(".warrant/evidence.sqlite")
        let store = try EvidenceStore(path: storePath, create: true)
        try helper.importLog(dir, into: store)
        return (path, storePath)
    }

    /// Imports `log.json` of the scratch folder, about its model, as a derived record.
    @discardableResult
    func importScratchLog(_ dir: Scratch, into store: EvidenceStore, kind: String = "inspect", incomplete: Bool = false) throws -> EvidenceRecord {
        var options = InspectImporter.Options()
        options.kind = kind
        options.allowIncomplete = incomplete
        options.allowInvalidated = incomplete
        options.modelFile = dir.path("model.bin")
        return try store.append(InspectImporter.record(fromLogAt: dir.path("log.json"), options: options, producer: testProducer))
    }

    func attack(_ store: String, _ sql: String) throws {
        let r = try shell(Self.sqlite3, [store, "DROP TRIGGER IF EXISTS records_are_immutable; DROP TRIGGER IF EXISTS records_are_never_deleted; " + sql])
        #expect(r.status == 0, "\(r.output)")
    }

    /// The fixture log with a change made to its JSON (as Inspect would have written it otherwise).
    func modifiedLog(_ change: (inout [String: Any]) throws -> Void) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.inspectLog("sabotage-success.json")))
        var log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        try change(&log)
        return String(decoding: try JSONSerialization.data(withJSONObject: log, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Sets the value of the first scorer's `accuracy`.
    static func setAccuracy(_ log: inout [String: Any], _ value: Double, scorer: Int = 0) throws {
        var results = try #require(log["results"] as? [String: Any])
        var scores = try #require(results["scores"] as? [[String: Any]])
        var metrics = try #require(scores[scorer]["metrics"] as? [String: Any])
        var accuracy = try #require(metrics["accuracy"] as? [String: Any])
        accuracy["value"] = value
        metrics["accuracy"] = accuracy
        scores[scorer]["metrics"] = metrics
        results["scores"] = scores
        log["results"] = results
    }

    func findings(_ path: String, _ storePath: String?, level: GateLevel = .release) throws -> (EvidenceAssessment, CheckReport) {
        try helper.assess(path, store: storePath.map { try EvidenceStore(path: $0, create: false) }, level: level)
    }

    // MARK: 1. Indexed columns

    @Test("an edited indexed column fails verify, naming it", arguments: [
        ("kind", "'capability_eval'", "`kind`"), ("method", "'sae'", "`method`"),
        ("evaluation_key", "'0000'", "`evaluation_key`"), ("source_sha256", "'abcd'", "`source_sha256`"),
        ("source_path", "'elsewhere.json'", "`source_path`"), ("created", "'2020-01-01T00:00:00Z'", "`created`"),
        ("subject_sha256", "NULL", "`subject_sha256`"), ("id", "'00'", "does not match its id"),
    ])
    func editedColumn(column: String, value: String, expected: String) throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        #expect(try EvidenceStore(path: storePath, create: false).verify().isValid)
        try attack(storePath, "UPDATE records SET \(column) = \(value) WHERE seq = 1")
        let result = try EvidenceStore(path: storePath, create: false).verify()
        let problem = try #require(result.firstProblem)
        #expect(problem.problem.contains(expected), "\(problem.problem)")
    }

    @Test("a lookup by an edited column does not return the record whose body says otherwise")
    func lookupRechecksBody() throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        try attack(storePath, "UPDATE records SET method = 'sae', source_sha256 = 'abcd' WHERE seq = 1")
        let store = try EvidenceStore(path: storePath, create: false)
        #expect(try store.records(method: "sae").isEmpty)
        #expect(try store.records(sourceSHA256: "abcd").isEmpty)
        #expect(try store.records().count == 1)
    }

    @Test("pointing source_sha256 at a replacement log does not make the failing log pass")
    func replacementLog() throws {
        let dir = try Scratch()
        let (path, storePath) = try importedCase(dir)
        #expect(try findings(path, storePath).0.states["E1"] == .passing)
        // The log on disk is replaced by one that fails; the passing record is re-pointed at it.
        try dir.write("log.json", try modifiedLog { try Self.setAccuracy(&$0, 0.75) })
        let sha = try Hashing.sha256Hex(fileAt: dir.path("log.json"))
        try attack(storePath, "UPDATE records SET source_sha256 = '\(sha)' WHERE seq = 1")
        let (a, report) = try findings(path, storePath)
        #expect(a.states["E1"] != .passing)
        #expect(report.failed)
        #expect(report.findings.contains { $0.rule == "E05" && $0.message.contains("`source_sha256`") }, "\(report.findings.map(\.message))")
    }

    // MARK: 2. Hand-written records

    @Test("a record forged from a real one with another accuracy is found when the log is read again")
    func forgedDerived() throws {
        let dir = try Scratch()
        let (path, storePath) = try importedCase(dir)
        let store = try EvidenceStore(path: storePath, create: true)
        var forged = try #require(store.records().first)
        forged.metrics["accuracy"] = .init(0.01)
        try store.append(forged)
        let (a, report) = try findings(path, storePath)
        guard case .tampered(let why)? = a.states["E1"] else { Issue.record("\(String(describing: a.states["E1"]))"); return }
        #expect(why.contains("accuracy = 0.01, the log says 0"), "\(why)")
        #expect(report.failed)
    }

    @Test("a typed-in record is a warning at review and does not count at release unless the node accepts it",
          arguments: [GateLevel.review, .release])
    func assertedRecord(level: GateLevel) throws {
        let dir = try Scratch()
        try dir.write("model.bin", "weights v1")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        var r = EvidenceRecord(kind: "red_team_report", producer: testProducer)
        r.provenance = .asserted
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        r.metrics["upper_bound"] = .init(0.003)
        let id = try store.append(r).id
        for accepted in [false, true] {
            let path = try helper.makeCase(dir, evidence: "    record: \(id)\n    require: [\"upper_bound <= 0.01\"]"
                                           + (accepted ? "\n    accept_asserted: \"a signed red-team report, reviewed by the safety board\"" : ""))
            let (a, report) = try helper.assess(path, store: store, level: level)
            let finding = report.findings.first { $0.rule == "E08" }
            if accepted {
                #expect(a.states["E1"] == .passing)
                #expect(finding == nil)
            } else if level == .release {
                #expect(a.states["E1"] == .asserted("record \(id.prefix(12)) was typed in (warrant-tests 0) and no signer the case trusts has signed it"))
                #expect(finding?.severity == .error)
                #expect(report.rootStatus != .supported)
            } else {
                #expect(finding?.severity == .warning)
            }
        }
    }

    // MARK: 3. Dates

    @Test("a record time that is not a time, or lies in the future, is a located finding and never fresh",
          arguments: ["x", "9999-01-01T00:00:00Z", "2026-13-45T00:00:00Z"])
    func recordTime(time: String) throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    eval: { method: sae, dict_size: 512 }\n    max_age: 90d")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        var r = EvidenceRecord(kind: "interpretability.sae", producer: .init(tool: "warrant", version: "1", time: time))
        r.method = .init(name: "sae", version: "1")
        r.provenance = .derived
        r.configuration = ["dict_size": .number(512)]
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        try store.append(r)
        let (a, report) = try helper.assess(path, store: store, now: Clock.parse("2026-12-01T00:00:00Z")!)
        guard case .invalidTime? = a.states["E1"] else { Issue.record("\(String(describing: a.states["E1"]))"); return }
        let f = try #require(report.findings.first { $0.rule == "E09" })
        #expect(f.location?.line == 11, "the recipe's line")
        #expect(f.severity == .error)
    }

    @Test("an Inspect log whose eval.created is not a time, or in the future, is refused",
          arguments: ["9999-01-01T00:00:00+00:00", "yesterday"])
    func logCreated(created: String) throws {
        let dir = try Scratch()
        let text = try String(contentsOfFile: Fixtures.inspectLog("sabotage-success.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"created\": \"2026-11-26T17:05:50+00:00\"", with: "\"created\": \"\(created)\"")
        let log = try dir.write("log.json", text)
        #expect {
            try InspectImporter.record(fromLogAt: log, options: .init(), producer: testProducer)
        } throws: { error in
            guard case InspectImporter.ImportError.invalidTime = error else { return false }
            return true
        }
    }

    @Test("WARRANT_NOW that is not a time is refused")
    func badOverride() throws {
        #expect(throws: Clock.InvalidOverride.self) { try Clock.validateOverride(["WARRANT_NOW": "garbage"]) }
        try Clock.validateOverride(["WARRANT_NOW": "2026-11-26T12:00:00Z"])
        try Clock.validateOverride([:])
    }

    // MARK: 4. Inspect semantics

    @Test("a log with invalidated samples is refused unless allowed")
    func invalidated() throws {
        let log = Fixtures.inspectLog("sabotage-invalidated.json")
        #expect {
            try InspectImporter.record(fromLogAt: log, options: .init(), producer: testProducer)
        } throws: { error in
            guard case InspectImporter.ImportError.invalidated = error else { return false }
            return "\(error)".contains("--allow-invalidated")
        }
        var options = InspectImporter.Options()
        options.allowInvalidated = true
        let r = try InspectImporter.record(fromLogAt: log, options: options, producer: testProducer)
        #expect(r.source?["invalidated"] == .bool(true))
    }

    @Test("a log of an unknown format version is refused", arguments: ["9", "the string 2", "missing"])
    func unknownVersion(name: String) throws {
        let version: Any? = name == "9" ? 9 : name == "missing" ? nil : "2"
        let dir = try Scratch()
        let log = try dir.write("log.json", try modifiedLog { $0["version"] = version })
        #expect {
            try InspectImporter.record(fromLogAt: log, options: .init(), producer: testProducer)
        } throws: { error in
            guard case InspectImporter.ImportError.unknownVersion = error else { return false }
            return true
        }
    }

    @Test("two scorers of the same name keep their own metrics")
    func sameScorerName() throws {
        let dir = try Scratch()
        let doubled = try modifiedLog { log in
            var results = try #require(log["results"] as? [String: Any])
            let scores = try #require(results["scores"] as? [[String: Any]])
            results["scores"] = [scores[0], scores[0]]
            log["results"] = results
            try Self.setAccuracy(&log, 0.75, scorer: 0)
        }
        let log = try dir.write("log.json", doubled)
        let r = try InspectImporter.record(fromLogAt: log, options: .init(), producer: testProducer)
        #expect(r.metrics["includes/accuracy"]?.value == 0.75)
        #expect(r.metrics["includes#2/accuracy"]?.value == 0)
        #expect(r.metrics["accuracy"] == nil, "ambiguous: no plain metric")
    }

    @Test("scores edited after the run are recorded, and the evidence counts as asserted at release")
    func editedScores() throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    source: { inspect: log.json }\n    require: [\"accuracy <= 0.2\"]")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        try dir.write("log.json", String(contentsOfFile: Fixtures.inspectLog("sabotage-edited.json"), encoding: .utf8))
        let r = try importScratchLog(dir, into: store)
        #expect(r.source?["edited_scores"] == .number(1))
        #expect(r.metrics["accuracy"]?.value == 0.1)
        let (a, report) = try helper.assess(path, store: store)
        guard case .asserted(let why)? = a.states["E1"] else { Issue.record("\(String(describing: a.states["E1"]))"); return }
        #expect(why.contains("1 of the log's scores were edited"))
        #expect(report.findings.contains { $0.rule == "E08" && $0.severity == .error })
    }

    @Test("the packages a log ran with are kept, and a huge model_args is kept as its size and hash")
    func boundedFields() throws {
        let dir = try Scratch()
        let text = try modifiedLog { log in
            var eval = try #require(log["eval"] as? [String: Any])
            eval["model_args"] = ["prompt": String(repeating: "x", count: 10_000)]
            log["eval"] = eval
        }
        let r = try InspectImporter.record(fromLogAt: try dir.write("log.json", text), options: .init(), producer: testProducer)
        #expect(r.source?["packages"]?["inspect_ai"]?.string == "0.3.285")
        #expect(r.configuration["model_args"]?["omitted_bytes"]?.number ?? 0 > 10_000)
        #expect(r.configuration["model_args"]?["sha256"]?.string?.count == 64)
    }

    // MARK: 5. The model

    @Test("a case that names no model is a finding from review on", arguments: [
        (GateLevel.draft, Severity.info), (.review, .error), (.release, .error),
    ])
    func noModel(level: GateLevel, severity: Severity) throws {
        let dir = try Scratch()
        let path = try dir.write("case.yaml", """
        warrant: 1
        case: { id: t }
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b, source: { inspect: log.json } }
        """)
        let (_, report) = try helper.assess(path, store: nil, level: level)
        let f = try #require(report.findings.first { $0.rule == "E07" })
        #expect(f.severity == severity)
    }

    // MARK: 6. Pinning the head

    func pinnedCase(_ dir: Scratch, records: Int, id: String) throws -> String {
        try helper.makeCase(dir, evidence: "    source: { inspect: log.json }",
                            policy: "  policy: { evidence_head: { records: \(records), id: \"\(id)\" } }")
    }

    @Test("a store that extends the pinned head passes; cut short, rewritten or absent it is tampered",
          arguments: ["extends", "deleted-last", "rewritten", "no-store"])
    func pinnedHead(attackName: String) throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        var head: ChainHead
        do {
            let store = try EvidenceStore(path: storePath, create: true)
            try store.append(sampleRecord(1))
            head = try store.head()
        }
        let path = try pinnedCase(dir, records: head.records, id: try #require(head.id))
        #expect(try findings(path, storePath).0.states["E1"] == .passing)
        var storeForCheck: String? = storePath
        var expected = ""
        switch attackName {
        case "extends":
            try EvidenceStore(path: storePath, create: true).append(sampleRecord(2))
        case "deleted-last":
            try attack(storePath, "DELETE FROM records WHERE seq = (SELECT max(seq) FROM records)")
            // The chain's links alone cannot tell; the dropped trigger and the pin can.
            let problem = try EvidenceStore(path: storePath, create: false).verify().firstProblem?.problem
            #expect(problem?.contains("lacks its trigger") == true, "\(String(describing: problem))")
            expected = "records were removed"
        case "rewritten":
            // The whole chain rebuilt with recomputed hashes: it verifies, but it is another chain.
            try FileManager.default.removeItem(atPath: storePath)
            let store = try EvidenceStore(path: storePath, create: true)
            try helper.importLog(dir, into: store)
            try store.append(sampleRecord(7))
            #expect(try store.verify().isValid)
            expected = "rewritten or forked"
        default:
            storeForCheck = nil
            expected = "there is no evidence store"
        }
        let (a, report) = try findings(path, storeForCheck)
        if attackName == "extends" {
            #expect(a.states["E1"] == .passing)
            #expect(a.store?.pinned == true)
            #expect(a.store?.records == head.records + 1)
            return
        }
        #expect(a.states["E1"] != .passing)
        let f = try #require(report.findings.first { $0.rule == "E05" && $0.message.contains(expected) }, "\(report.findings.map(\.message))")
        #expect(f.location?.line == 5, "the pin's line")
        #expect(report.failed)
    }

    @Test("a malformed pin is a located finding", arguments: [
        ("{ records: 0, id: \"\(String(repeating: "a", count: 64))\" }", "F11"),
        ("{ records: 2, id: abc }", "F11"), ("{ records: 2 }", "F05"),
    ])
    func malformedPin(pin: String, rule: String) throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "", policy: "  policy: { evidence_head: \(pin) }")
        let loaded = try CaseLoader().load(paths: [path])[0]
        #expect(loaded.findings.contains { $0.rule == rule && $0.location?.line == 5 }, "\(loaded.findings)")
    }

    // MARK: 7. One matcher, one freshness rule

    @Test("build and check agree: a record of an older method version is stale, a too-old one by its evidence time")
    func matcher() throws {
        var r = EvidenceRecord(kind: "interpretability.sae", producer: testProducer)
        r.method = .init(name: "sae", version: "1")
        r.configuration = ["dict_size": .number(512), "seed": .number(0)]
        r.subject = .init(sha256: "aa")
        let now = Clock.parse("2026-12-01T00:00:00Z")!
        func match(_ version: String, maxAge: Double? = nil, model: String = "aa") -> RecordMatcher.Match {
            RecordMatcher.match(method: "sae", configuration: ["dict_size": .number(512)], modelSHA256: model,
                                currentVersion: version, maxAge: maxAge, now: now, in: [r.sealed(previous: nil)])
        }
        #expect(match("1") == .fresh(r.sealed(previous: nil)))
        #expect(match("2") == .methodChanged(r.sealed(previous: nil), from: "1", to: "2"))
        #expect(match("1", maxAge: 86_400) == .tooOld(r.sealed(previous: nil), days: 4, field: "producer.time"))
        #expect(match("1", model: "bb") == .modelChanged)
        // An imported log is aged by when it ran, not by when it was imported.
        var imported = EvidenceRecord(kind: "inspect", producer: .init(tool: "warrant", version: "1", time: "2026-11-30T00:00:00Z"))
        imported.source = ["type": .string("inspect"), "created": .string("2025-01-01T00:00:00Z")]
        #expect(Freshness.judge(imported, maxAge: 90 * 86_400, now: now) == .tooOld(days: 699, field: "source.created"))
    }

    @Test("check finds a record of an older method version stale, as build would re-run it")
    func methodVersionStale() throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    eval: { method: sae, dict_size: 512 }")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        var r = EvidenceRecord(kind: "interpretability.sae", producer: testProducer)
        r.method = .init(name: "sae", version: "0")
        r.provenance = .derived
        r.configuration = ["dict_size": .number(512)]
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        try store.append(r)
        let (a, report) = try helper.assess(path, store: store)
        guard case .stale(let why)? = a.states["E1"] else { Issue.record("\(String(describing: a.states["E1"]))"); return }
        #expect(why.contains("version 0; this Warrant runs version 1"))
        #expect(report.findings.contains { $0.rule == "E03" })
    }

    // MARK: 8. Store errors

    @Test("a record body that is no longer JSON is tampering, never evidence missing")
    func unreadableBody() throws {
        let dir = try Scratch()
        let (path, storePath) = try importedCase(dir)
        try attack(storePath, "UPDATE records SET body = 'not json' WHERE seq = 1")
        let (a, report) = try findings(path, storePath)
        #expect(a.states["E1"] != .passing)
        #expect(report.findings.contains { $0.rule == "E05" && $0.message.contains("its stored body cannot be read") }, "\(report.findings.map(\.message))")
    }

    @Test("a file SQLite cannot read makes assessment throw (exit 2), not report evidence missing")
    func unreadableStore() throws {
        let dir = try Scratch()
        let (path, storePath) = try importedCase(dir)
        let store = try EvidenceStore(path: storePath, create: false)
        // Overwrite the database pages behind the open handle: every read now fails.
        let handle = try #require(FileHandle(forWritingAtPath: storePath))
        try handle.seek(toOffset: 100)
        handle.write(Data(repeating: 0xAB, count: 16_384))
        try handle.close()
        #expect(throws: StoreError.self) { try helper.assess(path, store: store) }
    }

    @Test("store errors carry SQLite's result code")
    func resultCode() throws {
        let dir = try Scratch()
        try dir.write("file", "x")
        do {
            _ = try EvidenceStore(path: dir.path("file/store.sqlite"), create: true)
            Issue.record("opened a store under a file")
        } catch {
            #expect(error.resultCode == 14, "SQLITE_CANTOPEN: \(error)")
        }
        #expect(throws: StoreError.self) { try EvidenceStore(path: dir.url.path, create: false) }
    }

    // MARK: Found by red-teaming the first version of these defences

    @Test("a forged derived record appended after the pinned head is not used")
    func forgedAfterPin() throws {
        let dir = try Scratch()
        let path0 = try helper.makeCase(dir, evidence: "    eval: { method: polytope, pairs: 50 }\n    require: [\"unique_fraction >= 0.99\"]")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        func polytope(_ value: Double) throws -> EvidenceRecord {
            var r = EvidenceRecord(kind: "interpretability.polytope", producer: .init(tool: "warrant", version: "1", time: "2026-11-26T12:00:00Z"))
            r.method = .init(name: "polytope", version: "1")
            r.provenance = .derived
            r.configuration = ["pairs": .number(50), "seed": .number(0), "layer": .string("input")]
            r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
            r.metrics["unique_fraction"] = .init(value)
            return r
        }
        let real = try store.append(polytope(0.5))
        _ = path0
        let path = try helper.makeCase(dir, evidence: "    eval: { method: polytope, pairs: 50 }\n    require: [\"unique_fraction >= 0.99\"]",
                                       policy: "  policy: { evidence_head: { records: 1, id: \"\(real.id)\" } }")
        try store.append(polytope(1.0))   // a consistent forgery, as INSERT could add it
        let (a, report) = try helper.assess(path, store: store)
        guard case .failing? = a.states["E1"] else { Issue.record("\(String(describing: a.states["E1"]))"); return }
        #expect(a.store?.after_pin == 1)
        #expect(report.failed)
    }

    @Test("a record that claims to be derived but names no file and is no built-in evaluation is asserted")
    func claimsDerived() throws {
        let dir = try Scratch()
        try dir.write("model.bin", "weights v1")
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        var r = EvidenceRecord(kind: "sabotage_eval", producer: .init(tool: "me", version: "1", time: "2026-11-26T12:00:00Z"))
        r.provenance = .derived
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        r.metrics["accuracy"] = .init(0)
        let id = try store.append(r).id
        let path = try helper.makeCase(dir, evidence: "    record: \(id)\n    require: [\"accuracy <= 0.2\"]")
        guard case .asserted? = try helper.assess(path, store: store).0.states["E1"] else { Issue.record("not asserted"); return }
    }

    @Test("removing source.type from an imported record does not make it young")
    func sourceTypeRemoved() throws {
        let dir = try Scratch()
        let (path, storePath) = try importedCase(dir, evidence: "    source: { inspect: log.json }\n    max_age: 2d")
        let store = try EvidenceStore(path: storePath, create: true)
        var forged = try #require(store.records().first)
        forged.source?.removeValue(forKey: "type")
        forged.producer.time = "2026-11-30T00:00:00Z"
        try store.append(forged)
        let (a, _) = try helper.assess(path, store: store, now: Clock.parse("2026-12-01T00:00:00Z")!)
        #expect(a.states["E1"] != .passing, "\(String(describing: a.states["E1"]))")
    }

    @Test("a column edited to hold a trailing NUL or a BLOB fails verify", arguments: [
        "CAST(X'696E73706563743A72657365617263685F7361626F7461676500' AS TEXT)", "X'696E73706563743A72657365617263685F7361626F74616765'",
    ])
    func hiddenBytes(value: String) throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        try attack(storePath, "UPDATE records SET method = \(value) WHERE seq = 1")
        let problem = try #require(try EvidenceStore(path: storePath, create: false).verify().firstProblem)
        #expect(problem.problem.contains("`method`"), "\(problem.problem)")
    }

    @Test("a schema object added or removed by hand fails verify", arguments: [
        ("CREATE INDEX records_method ON records(method)", "an object Warrant did not create, index records_method"),
        ("CREATE VIEW v AS SELECT 1", "view v"),
        ("SELECT 1", "lacks its trigger records_are_immutable"),
    ])
    func schemaEdited(sql: String, expected: String) throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        try attack(storePath, sql + (sql.hasPrefix("SELECT") ? "" : "; CREATE TRIGGER records_are_immutable BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'x'); END; CREATE TRIGGER records_are_never_deleted BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'x'); END"))
        let problem = try #require(try EvidenceStore(path: storePath, create: false).verify().firstProblem)
        #expect(problem.problem.contains(expected), "\(problem.problem)")
    }

    @Test("a body that is not the record's canonical JSON fails verify")
    func nonCanonicalBody() throws {
        let dir = try Scratch()
        let (_, storePath) = try importedCase(dir)
        try attack(storePath, "UPDATE records SET body = replace(body, '\"kind\":', ' \"kind\":') WHERE seq = 1")
        let problem = try #require(try EvidenceStore(path: storePath, create: false).verify().firstProblem)
        #expect(problem.problem.contains("not the record's canonical JSON"), "\(problem.problem)")
    }

    @Test("a sha256 beside source.inspect pins the log")
    func pinnedLog() throws {
        let dir = try Scratch()
        try dir.write("log.json", String(contentsOfFile: Fixtures.inspectLog("sabotage-success.json"), encoding: .utf8))
        let sha = try Hashing.sha256Hex(fileAt: dir.path("log.json"))
        let (path, storePath) = try importedCase(dir, evidence: "    source: { inspect: log.json, sha256: \(sha) }")
        #expect(try findings(path, storePath).0.states["E1"] == .passing)
        try dir.write("log.json", try modifiedLog { try Self.setAccuracy(&$0, 0.1) })
        let store = try EvidenceStore(path: storePath, create: true)
        try importScratchLog(dir, into: store, kind: "sabotage_eval")
        guard case .tampered(let why)? = try findings(path, storePath).0.states["E1"] else { Issue.record("not tampered"); return }
        #expect(why.contains("the case pins"))
    }

    @Test("an evidence node with two links is a format error")
    func twoLinks() throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    record: 0123456789abcdef\n    source: { inspect: log.json }")
        let loaded = try CaseLoader().load(paths: [path])[0]
        #expect(loaded.findings.contains { $0.rule == "F04" && $0.message.contains("both by `record` and by `source`") })
    }

    @Test("a run that did not succeed, or with invalidated samples, is not evidence", arguments: ["cancelled.json", "sabotage-invalidated.json"])
    func incompleteRun(log: String) throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    source: { inspect: log.json }")
        try dir.write("log.json", String(contentsOfFile: Fixtures.inspectLog(log), encoding: .utf8))
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        try importScratchLog(dir, into: store, incomplete: true)
        guard case .stale? = try helper.assess(path, store: store).0.states["E1"] else { Issue.record("counted as evidence"); return }
    }

    @Test("a log edited after the run (log_updates) counts as asserted at release")
    func logUpdates() throws {
        let dir = try Scratch()
        let path = try helper.makeCase(dir, evidence: "    source: { inspect: log.json }")
        try dir.write("log.json", try modifiedLog { $0["log_updates"] = [["edits": [] as [Any]]] })
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        try importScratchLog(dir, into: store)
        guard case .asserted(let why)? = try helper.assess(path, store: store).0.states["E1"] else { Issue.record("not asserted"); return }
        #expect(why.contains("log update"))
    }

    @Test("an infinite metric satisfies no requirement; -0.0 in a log is not tampering", arguments: [
        ("-Infinity", false), ("-0.0", true),
    ])
    func specialNumbers(value: String, passes: Bool) throws {
        let dir = try Scratch()
        let text = try String(contentsOfFile: Fixtures.inspectLog("sabotage-success.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"name\": \"accuracy\",\n            \"value\": 0.0", with: "\"name\": \"accuracy\",\n            \"value\": \(value)")
        let path = try helper.makeCase(dir, evidence: "    source: { inspect: log.json }\n    require: [\"accuracy <= 0.2\"]")
        try dir.write("log.json", text)
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        try importScratchLog(dir, into: store)
        let state = try helper.assess(path, store: store).0.states["E1"]
        #expect((state == .passing) == passes, "\(String(describing: state))")
    }

    @Test("dates are strict: no February 31, no +99:99 offset", arguments: [
        "2026-02-31T00:00:00Z", "2026-11-26T17:05:50+99:99", "2026-11-26T24:00:00Z", "2026-11-26T12:00:00", "2026-11-26T12:00:00z",
    ])
    func strictDates(text: String) {
        #expect(Clock.parse(text) == nil)
    }

    @Test("verify reports the head it verified")
    func verifiedHead() throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: dir.path("s.sqlite"), create: true)
        #expect(try store.head() == ChainHead(records: 0, id: nil))
        let last = try (1...3).map { try store.append(sampleRecord($0)) }.last
        #expect(try store.verify().head == last?.id)
        #expect(try store.head() == ChainHead(records: 3, id: last?.id))
        #expect(try store.id(atPosition: 4) == nil)
    }
}
