import ArgumentParser
import WarrantKit

struct EvidenceInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty evidence store (an SQLite file, or Warrant's schema in a PostgreSQL database).",
        discussion: """
        Commands that add evidence create their store when there is none, so a store in a \
        file needs no init. On a PostgreSQL server, the database's owner runs this once to \
        create the schema `warrant` (its tables, indexes and immutability triggers); then \
        scripts/postgres-roles.sql gives writers and auditors their roles, who cannot \
        create schemas themselves:

          warrant evidence init --store postgresql://owner@db.example:5432/evidence

        An existing store is left as it is; this prints its record count.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open(create: true)
        let count = try orExit { try store.recordCount() }
        print("\(store.path): a Warrant evidence store with \(count) record\(count == 1 ? "" : "s")")
    }
}
