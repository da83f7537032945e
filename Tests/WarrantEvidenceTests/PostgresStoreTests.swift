import Foundation
import Testing
@testable import WarrantCore
@testable import WarrantEvidence

@Suite("The PostgreSQL store: roles, schema and addresses", .enabled(if: TestPostgres.adminURL != nil))
struct PostgresStoreTests {
    static let rolesScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/postgres-roles.sql").standardizedFileURL.path

    /// A store with one record, the roles script run, and a writer and an auditor login.
    func storeWithRoles() throws -> (admin: String, writer: String, auditor: String) {
        let admin = try TestPostgres.newDatabase()
        try EvidenceStore(path: admin, create: true).append(sampleRecord(1))
        let script = try TestPostgres.sqlFile(admin, Self.rolesScript)
        try #require(script.status == 0, "\(script.output)")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let writer = "writer_\(suffix)", auditor = "auditor_\(suffix)"
        let logins = try TestPostgres.sql(admin, "CREATE ROLE \(writer) LOGIN IN ROLE warrant_writer; CREATE ROLE \(auditor) LOGIN IN ROLE warrant_auditor;")
        try #require(logins.status == 0, "\(logins.output)")
        return (admin, TestPostgres.url(admin, user: writer), TestPostgres.url(admin, user: auditor))
    }

    @Test("an auditor reads and verifies, and the server refuses its insert")
    func auditor() throws {
        let (_, _, auditor) = try storeWithRoles()
        let store = try EvidenceStore(path: auditor, create: false)
        #expect(try store.verify().isValid)
        #expect(try store.records().count == 1)
        // Through Warrant, even when opened to write:
        let writable = try EvidenceStore(path: auditor, create: true)
        #expect { try writable.append(sampleRecord(2)) } throws: { error in
            if case StoreError.readOnly = error { return true }
            return false
        }
        // And behind Warrant's back, by the server itself:
        let insert = try TestPostgres.sql(auditor, "INSERT INTO warrant.records (id, kind, created, body) VALUES ('a', 'b', 'c', 'd')")
        #expect(insert.status != 0 && insert.output.contains("permission denied"), "\(insert.output)")
        #expect(try store.recordCount() == 1)
    }

    @Test("a writer appends but cannot change, remove or unprotect a record")
    func writer() throws {
        let (admin, writer, _) = try storeWithRoles()
        let store = try EvidenceStore(path: writer, create: true)
        try store.append(sampleRecord(2))
        #expect(try store.verify().isValid)
        for statement in ["UPDATE warrant.records SET kind = 'x'", "DELETE FROM warrant.records", "TRUNCATE warrant.records",
                          "ALTER TABLE warrant.records DISABLE TRIGGER USER", "DROP TRIGGER records_are_immutable ON warrant.records",
                          "CREATE TABLE warrant.extra (a int)", "INSERT INTO warrant.meta VALUES ('x', 'y')"] {
            let result = try TestPostgres.sql(writer, statement)
            #expect(result.status != 0, "a writer could run \(statement)")
        }
        #expect(try EvidenceStore(path: admin, create: false).verify().isValid)
        #expect(try EvidenceStore(path: admin, create: false).recordCount() == 2)
    }

    @Test("a writer cannot create the schema; the owner's `init` does, once", arguments: [1])
    func schemaCreation(_: Int) throws {
        let admin = try TestPostgres.newDatabase()
        let role = "nocreate_\(UUID().uuidString.prefix(8).lowercased())"
        try #require(try TestPostgres.sql(admin, "CREATE ROLE \(role) LOGIN").status == 0)
        #expect(throws: StoreError.self) { try EvidenceStore(path: TestPostgres.url(admin, user: role), create: true) }
        #expect { try EvidenceStore(path: admin, create: false) } throws: { error in
            if case StoreError.missing = error { return true }
            return false
        }
        // Many creators at once end with one schema.
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try EvidenceStore(path: admin, create: true) } catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try EvidenceStore(path: admin, create: false).verify().isValid)
    }

    @Test("an edited schema fails verify, naming what changed", arguments: [
        ("ALTER TABLE warrant.records DISABLE TRIGGER records_are_immutable", "is disabled"),
        ("DROP TRIGGER records_are_never_truncated ON warrant.records", "lacks its trigger records_are_never_truncated"),
        ("CREATE OR REPLACE FUNCTION warrant.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$", "was replaced"),
        ("ALTER TABLE warrant.records ENABLE ROW LEVEL SECURITY", "row-level security"),
        ("CREATE INDEX sneaky ON warrant.records (method)", "index warrant.sneaky"),
        ("CREATE RULE hide AS ON INSERT TO warrant.records DO INSTEAD NOTHING", "rule"),
        ("CREATE TRIGGER extra BEFORE INSERT ON warrant.records FOR EACH ROW EXECUTE FUNCTION warrant.refuse_change()", "trigger Warrant did not create"),
        ("ALTER TABLE warrant.records DISABLE TRIGGER USER; ALTER TABLE warrant.records ALTER COLUMN source_path TYPE bytea USING convert_to(source_path, 'UTF8')", "not stored as text"),
    ])
    func schemaTampering(_ edit: String, _ problem: String) throws {
        let admin = try TestPostgres.newDatabase()
        let store = try EvidenceStore(path: admin, create: true)
        for n in 0..<2 { try store.append(sampleRecord(n)) }
        let result = try TestPostgres.sql(admin, edit)
        try #require(result.status == 0, "\(result.output)")
        let verified = try EvidenceStore(path: admin, create: false).verify()
        #expect(verified.firstProblem?.problem.contains(problem) == true, "\(verified.firstProblem?.problem ?? "it verified")")
    }

    @Test("an address with a password is refused before connecting", arguments: [
        "postgresql://warrant:secret@localhost/evidence",
        "postgres://warrant:@localhost:5432/evidence",
        "postgresql://warrant@localhost/evidence?sslmode=require&password=secret",
        "postgresql://warrant@localhost/evidence?PASSWORD=secret",
    ])
    func passwordRefused(_ address: String) throws {
        #expect { try EvidenceStore(path: address, create: false) } throws: { error in
            guard case StoreError.unsafeAddress(let message) = error else { return false }
            return message.contains("PGPASSWORD") && !message.contains("secret")
        }
    }

    @Test("a server that is not there, or a database that is not a store, is a clear error")
    func notThere() throws {
        #expect { try EvidenceStore(path: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", create: false) } throws: { error in
            guard case StoreError.postgres(_, let during, _, _) = error else { return false }
            return during == "connecting"
        }
        let admin = try TestPostgres.newDatabase()
        try #require(try TestPostgres.sql(admin, "CREATE SCHEMA warrant; CREATE TABLE warrant.other (a int)").status == 0)
        #expect { try EvidenceStore(path: admin, create: true) } throws: { error in
            if case StoreError.notAStore = error { return true }
            return false
        }
    }
}
