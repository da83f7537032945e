import Foundation
import Testing

@Suite("warrant evidence init, export and import chain")
struct StoreTransferCLITests {
    @Test("export, then import chain into a new store: the same ids, the same head, and a second import adds nothing")
    func roundTrip() throws {
        let dir = try ScratchCopy()
        for n in 1...3 {
            let add = try CLI.run(["evidence", "add", "--store", "a.sqlite", "--kind", "control_eval", "--metric", "m=\(n)"], in: dir.url)
            #expect(add.status == 0, "\(add.stderr)")
        }
        let export = try CLI.run(["evidence", "export", "--store", "a.sqlite", "-o", "chain.jsonl"], in: dir.url)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains("exported 3 records to chain.jsonl"))
        let stdout = try CLI.run(["evidence", "export", "--store", "a.sqlite"], in: dir.url)
        #expect(stdout.stdout == (try String(contentsOfFile: dir.path("chain.jsonl"), encoding: .utf8)))
        let imported = try CLI.run(["evidence", "import", "chain", "chain.jsonl", "--store", "b.sqlite"], in: dir.url)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 3 records"))
        let heads = try ["a.sqlite", "b.sqlite"].map { try CLI.run(["evidence", "head", "--store", $0], in: dir.url).stdout }
        #expect(heads[0] == heads[1] && heads[0].hasPrefix("3 records, head "))
        let again = try CLI.run(["evidence", "import", "chain", "chain.jsonl", "--store", "b.sqlite"], in: dir.url)
        #expect(again.stdout.contains("imported 0 records, 3 already there"))
    }

    @Test("refusals: a foreign chain (exit 1), a missing file (exit 2), the store as the output (exit 2), a password in the address (exit 2)")
    func refusals() throws {
        let dir = try ScratchCopy()
        _ = try CLI.run(["evidence", "add", "--store", "a.sqlite", "--kind", "k", "--metric", "m=1"], in: dir.url)
        _ = try CLI.run(["evidence", "add", "--store", "b.sqlite", "--kind", "k", "--metric", "m=2"], in: dir.url)
        _ = try CLI.run(["evidence", "export", "--store", "a.sqlite", "-o", "a.jsonl"], in: dir.url)
        let foreign = try CLI.run(["evidence", "import", "chain", "a.jsonl", "--store", "b.sqlite"], in: dir.url)
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("already holds record"))
        let missing = try CLI.run(["evidence", "import", "chain", "none.jsonl", "--store", "b.sqlite"], in: dir.url)
        #expect(missing.status == 2)
        let overwrite = try CLI.run(["evidence", "export", "--store", "a.sqlite", "-o", "a.sqlite"], in: dir.url)
        #expect(overwrite.status == 2)
        #expect(try CLI.run(["evidence", "verify", "--store", "a.sqlite"], in: dir.url).status == 0)
        let password = try CLI.run(["evidence", "verify", "--store", "postgresql://ci:hunter2@db.example/evidence"], in: dir.url)
        #expect(password.status == 2)
        #expect(password.stderr.contains("PGPASSWORD") && !password.stderr.contains("hunter2"))
    }

    @Test("WARRANT_STORE names the store when --store does not")
    func environment() throws {
        let dir = try ScratchCopy()
        let add = try CLI.run(["evidence", "add", "--kind", "k", "--metric", "m=1"], in: dir.url, environment: ["WARRANT_STORE": "team.sqlite"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path("team.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: dir.path(".warrant/evidence.sqlite")))
        let initialised = try CLI.run(["evidence", "init", "--store", "new.sqlite"], in: dir.url)
        #expect(initialised.stdout.contains("new.sqlite: a Warrant evidence store with 0 records"))
    }
}
