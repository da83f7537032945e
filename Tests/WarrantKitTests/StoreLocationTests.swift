import Foundation
import Testing
import WarrantCore
import WarrantEvidence
import WarrantKit

@Suite("Where a case's evidence is: --store, WARRANT_STORE, policy.store, beside the case")
struct StoreLocationTests {
    /// The inspect-evidence example with `policy` replaced.
    func example(policy: String) throws -> (Scratch, String) {
        let dir = try Scratch(copying: "inspect-evidence")
        let file = dir.path("case.yaml")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "policy: { level: release }", with: "policy: \(policy)")
            .write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    func load(_ file: String) throws -> LoadResult {
        try #require(try CaseChecker.loader().load(paths: [file], format: .warrant).first)
    }

    @Test("the order: --store, then WARRANT_STORE, then policy.store, then beside the case")
    func order() throws {
        let (dir, file) = try example(policy: "{ level: release, store: evidence/team.sqlite }")
        let loaded = try withExtendedLifetime(dir) { try load(file) }
        #expect(loaded.findings.filter { $0.severity == .error }.isEmpty, "\(loaded.findings)")
        let header = loaded.assuranceCase.header
        let env = ["WARRANT_STORE": "postgresql://ci@db.example/evidence"]
        #expect(StoreLocation.resolve(explicit: "x.sqlite", casePath: file, header: header, environment: env) == "x.sqlite")
        #expect(StoreLocation.resolve(explicit: nil, casePath: file, header: header, environment: env) == "postgresql://ci@db.example/evidence")
        #expect(StoreLocation.resolve(explicit: nil, casePath: file, header: header, environment: ["WARRANT_STORE": ""]) == dir.path("evidence/team.sqlite"))
        #expect(StoreLocation.resolve(explicit: nil, casePath: file, header: nil, environment: [:]) == dir.path(".warrant/evidence.sqlite"))
    }

    @Test("a policy.store with a password, or outside the case's folder, is F11 and not used", arguments: [
        "postgresql://ci:hunter2@db.example/evidence", "postgresql://ci@db/evidence?password=hunter2",
        "../elsewhere.sqlite", "/etc/evidence.sqlite", "~/evidence.sqlite", "file:///tmp/x.sqlite", "\"\"",
    ])
    func refused(_ value: String) throws {
        let (dir, file) = try example(policy: "{ level: release, store: \(value) }")
        let loaded = try withExtendedLifetime(dir) { try load(file) }
        let finding = loaded.findings.first { $0.rule == Rules.invalidValue.id }
        #expect(finding != nil, "\(loaded.findings)")
        #expect(finding?.location?.line == 19)
        #expect(finding?.message.contains("hunter2") != true)
        #expect(loaded.assuranceCase.header?.store == nil)
    }

    /// The test server's admin URL (see WarrantEvidenceTests' `TestPostgres`).
    static let postgres: String? = ProcessInfo.processInfo.environment["WARRANT_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    @Test("a case whose policy.store names a PostgreSQL database builds, checks and reports against it",
          .enabled(if: StoreLocationTests.postgres != nil))
    func buildAgainstPostgres() throws {
        let admin = try #require(Self.postgres)
        let name = "warrant_kit_" + UUID().uuidString.prefix(8).lowercased()
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [admin, "-X", "-q", "-c", "CREATE DATABASE \(name)"]
        try psql.run()
        psql.waitUntilExit()
        try #require(psql.terminationStatus == 0)
        // The admin URL with the new database: .../postgres?host=... becomes .../NAME?host=...
        let url = admin.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
        try #require(url != admin, "WARRANT_TEST_POSTGRES should end in /postgres?host=...")
        let (dir, file) = try example(policy: "{ level: release, store: \"\(url)\" }")
        let builder = CaseBuilder(file: file)
        let prepared = try builder.prepare()
        #expect(prepared.storePath == url)
        let outcome = try builder.run(prepared)
        #expect(outcome.analysis.passed)
        #expect(!FileManager.default.fileExists(atPath: dir.path(".warrant/evidence.sqlite")))
        let store = try EvidenceStore(path: url, create: false)
        #expect(try store.recordCount() == 1)
        #expect(try store.verify().isValid)
        let again = try builder.prepare()
        #expect(again.toRun.isEmpty)
    }
}
