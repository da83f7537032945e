import Foundation
import Testing
import WarrantJSON
@testable import WarrantCore
@testable import WarrantEvidence

@Suite("The evidence store, on SQLite and on PostgreSQL")
struct BackendTests {
    @Test("a PostgreSQL server is there when CI requires one")
    func serverAvailable() throws {
        guard TestPostgres.required else { return }
        #expect(TestPostgres.adminURL != nil, "WARRANT_REQUIRE_POSTGRES=1 but WARRANT_TEST_POSTGRES is not set")
        #expect(Backend.available.contains(.postgres))
        _ = try TestPostgres.newDatabase()
    }

    @Test("appended records form a chain that verifies, found by id prefix and by column", arguments: Backend.available)
    func chain(_ backend: Backend) throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: try backend.newStore(in: dir), create: true)
        var ids: [String] = []
        for n in 0..<5 { ids.append(try store.append(sampleRecord(n, kind: n % 2 == 0 ? "even" : "odd")).id) }
        let records = try store.records()
        #expect(records.map(\.id) == ids)
        #expect(records[0].previous == nil)
        for k in 1..<5 { #expect(records[k].previous == ids[k - 1]) }
        #expect(try store.verify().isValid)
        #expect(try store.verify().head == ids[4])
        #expect(try store.head() == ChainHead(records: 5, id: ids[4]))
        #expect(try store.id(atPosition: 3) == ids[2])
        #expect(try store.id(atPosition: 6) == nil)
        #expect(try store.record(id: String(ids[2].prefix(10)))?.id == ids[2])
        #expect(try store.record(id: "zzzzzzzz") == nil)
        #expect(try store.records(kind: "odd").map(\.id) == [ids[1], ids[3]])
        #expect(try store.recordCount() == 5)
    }

    @Test("both backends give the same records the same ids")
    func sameIDs() throws {
        guard Backend.available.contains(.postgres) else { return }
        let dir = try Scratch()
        var heads: [String?] = []
        for backend in Backend.allCases {
            let store = try EvidenceStore(path: try backend.newStore(in: dir), create: true)
            for n in 0..<3 { try store.append(sampleRecord(n)) }
            heads.append(try store.head().id)
        }
        #expect(heads[0] != nil && heads[0] == heads[1])
    }

    @Test("records cannot be updated, deleted or truncated through SQL", arguments: Backend.available)
    func immutable(_ backend: Backend) throws {
        let dir = try Scratch()
        let address = try backend.newStore(in: dir)
        try EvidenceStore(path: address, create: true).append(sampleRecord(1))
        for statement in ["UPDATE \(backend.records) SET kind = 'x'", "DELETE FROM \(backend.records)"]
            + (backend == .postgres ? ["TRUNCATE warrant.records", "TRUNCATE warrant.meta", "UPDATE warrant.meta SET value = '0'"] : []) {
            let result = try backend.sql(address, statement)
            #expect(result.status != 0, "\(statement) was allowed")
        }
        #expect(try EvidenceStore(path: address, create: false).verify().isValid)
        #expect(try EvidenceStore(path: address, create: false).recordCount() == 1)
    }

    @Test("an edit behind Warrant's back is found by verify", arguments: Backend.available, [
        ("UPDATE {records} SET kind = 'other' WHERE id = (SELECT id FROM {records} ORDER BY seq LIMIT 1 OFFSET 1)", "indexed column `kind`"),
        ("UPDATE {records} SET body = replace(body, 'record 1', 'record 9')", "does not match its id"),
        ("DELETE FROM {records} WHERE id = (SELECT id FROM {records} ORDER BY seq LIMIT 1 OFFSET 1)", "does not link"),
    ])
    func tampering(_ backend: Backend, _ edit: (sql: String, problem: String)) throws {
        let dir = try Scratch()
        let address = try backend.newStore(in: dir)
        let store = try EvidenceStore(path: address, create: true)
        for n in 0..<3 { try store.append(sampleRecord(n)) }
        let sql = backend.dropImmutability + edit.sql.replacingOccurrences(of: "{records}", with: backend.records)
        let result = try backend.sql(address, sql)
        try #require(result.status == 0, "\(result.output)")
        let verified = try EvidenceStore(path: address, create: false).verify()
        #expect(!verified.isValid)
        #expect(verified.firstProblem?.problem.contains(edit.problem) == true, "\(verified.firstProblem?.problem ?? "valid")")
    }

    @Test("several writers at once lose no record and never fork the chain", arguments: Backend.available)
    func concurrentWriters(_ backend: Backend) throws {
        let dir = try Scratch()
        let address = try backend.newStore(in: dir)
        _ = try EvidenceStore(path: address, create: true)
        let writers = 6, each = 15
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            do {
                let store = try EvidenceStore(path: address, create: true)
                for n in 0..<each { try store.append(sampleRecord(w * 1000 + n)) }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let store = try EvidenceStore(path: address, create: false)
        let (result, records) = try store.verifiedRecords()
        #expect(result.isValid)
        #expect(records.count == writers * each)
        #expect(Set(records.map(\.title)).count == writers * each)
    }

    @Test("a chain exported from one backend imports into the other with the same ids, and back",
          arguments: Backend.available, Backend.available)
    func transfer(_ from: Backend, _ to: Backend) throws {
        let dir = try Scratch()
        let source = try EvidenceStore(path: try from.newStore(in: dir, name: "source"), create: true)
        for n in 0..<4 { try source.append(sampleRecord(n)) }
        let jsonl = try ChainTransfer.export(source)
        #expect(jsonl.split(separator: "\n").count == 4)
        let file = try dir.write("chain.jsonl", jsonl)
        let target = try EvidenceStore(path: try to.newStore(in: dir, name: "target"), create: true)
        let summary = try ChainTransfer.importChain(fromFileAt: file, into: target)
        #expect(summary == .init(imported: 4, alreadyPresent: 0, head: try source.head().id))
        #expect(try target.verify().isValid)
        #expect(try target.records().map(\.id) == (try source.records().map(\.id)))
        #expect(try ChainTransfer.export(target) == jsonl)
        // Again: nothing to add. Then the source grows and the rest is added.
        #expect(try ChainTransfer.importChain(fromFileAt: file, into: target).imported == 0)
        try source.append(sampleRecord(7))
        let longer = try dir.write("longer.jsonl", try ChainTransfer.export(source))
        #expect(try ChainTransfer.importChain(fromFileAt: longer, into: target) == .init(imported: 1, alreadyPresent: 4, head: try source.head().id))
    }

    @Test("an import refuses an altered, reordered or foreign chain and adds nothing", arguments: Backend.available)
    func importRefusals(_ backend: Backend) throws {
        let dir = try Scratch()
        let source = try EvidenceStore(path: dir.path("source.sqlite"), create: true)
        for n in 0..<3 { try source.append(sampleRecord(n)) }
        let lines = try ChainTransfer.export(source).split(separator: "\n").map(String.init)
        let altered = [lines[0], lines[1].replacingOccurrences(of: "record 1", with: "record 8"), lines[2]]
        let cases: [(text: String, problem: String)] = [
            (altered.joined(separator: "\n"), "chain.jsonl:2: record"),
            ([lines[0], lines[2], lines[1]].joined(separator: "\n"), "chain.jsonl:2: record"),
            ([lines[1], lines[2]].joined(separator: "\n"), "chain.jsonl:1:"),
            ("{\"not\": \"a record\"}", "chain.jsonl:1: not a sealed record"),
        ]
        for c in cases {
            let target = try EvidenceStore(path: try backend.newStore(in: dir, name: "t\(UUID().uuidString.prefix(6))"), create: true)
            let file = try dir.write("chain.jsonl", c.text)
            #expect { try ChainTransfer.importChain(fromFileAt: file, into: target) } throws: { error in
                "\(error)".contains(c.problem)
            }
            #expect(try target.recordCount() == 0)
        }
        // A target holding another chain is refused before anything is added.
        let other = try EvidenceStore(path: try backend.newStore(in: dir, name: "other"), create: true)
        try other.append(sampleRecord(50))
        let file = try dir.write("good.jsonl", lines.joined(separator: "\n") + "\n")
        #expect(throws: ChainTransfer.Failure.self) { try ChainTransfer.importChain(fromFileAt: file, into: other) }
        #expect(try other.recordCount() == 1)
        // A record sealed elsewhere cannot be appended where it does not link.
        #expect(throws: StoreError.self) { try other.appendSealed(try source.records()[1]) }
    }

    @Test("a store opened to read cannot be written, whoever the role", arguments: Backend.available)
    func readOnlySession(_ backend: Backend) throws {
        let dir = try Scratch()
        let address = try backend.newStore(in: dir)
        try EvidenceStore(path: address, create: true).append(sampleRecord(1))
        let reader = try EvidenceStore(path: address, create: false)
        #expect { try reader.append(sampleRecord(2)) } throws: { error in
            if case StoreError.readOnly = error { return true }
            return false
        }
        #expect(try reader.recordCount() == 1)
    }
}

/// Errors collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
