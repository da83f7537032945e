import ArgumentParser
import WarrantKit

/// Where the store is: `--store`, else `WARRANT_STORE`, else `--case`'s `policy.store` or
/// the store beside it, else in the current directory.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The evidence store: an SQLite file, or postgresql://USER@HOST:PORT/DB. (default: WARRANT_STORE, else the store of --case, else .warrant/evidence.sqlite here)",
                               discussion: "A PostgreSQL password goes in PGPASSWORD or ~/.pgpass, never in the address."))
    var store: String?

    @Option(name: .customLong("case"), help: "A case file; its store is its policy.store, else .warrant/evidence.sqlite beside it.")
    var casePath: String?

    var path: String { StoreLocation.forCommand(store: store, casePath: casePath) }

    func open(create: Bool) throws -> EvidenceStore {
        try Self.open(path: path, create: create)
    }

    /// Opens a store that must already exist, for writing (a store opened only to read is
    /// read-only): commands that add to records already stored, such as `evidence sign`.
    func openExistingForWriting() throws -> EvidenceStore {
        _ = try open(create: false)   // exit 2 with the reason when there is no store, or it is not one
        return try open(create: true)
    }

    /// Opens (by default creating) the store at `path`; failures are exit 2.
    static func open(path: String, create: Bool = true) throws -> EvidenceStore {
        try orExit { try EvidenceStore(path: path, create: create) }
    }
}

/// Appends a record and prints its id; store errors are exit 2. Returns the stored record.
@discardableResult
func append(_ record: EvidenceRecord, to store: EvidenceStore) throws -> EvidenceRecord {
    let stored = try orExit { try store.append(record) }
    print(stored.id)
    return stored
}
