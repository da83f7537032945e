import CSQLite
import Foundation
import WarrantFiles

/// The evidence store in one SQLite file: WAL mode, appends inside `BEGIN IMMEDIATE`
/// (waiting out other writers), and triggers that refuse UPDATE and DELETE.
public final class SQLiteBackend: EvidenceBackend {
    public let path: String
    public var location: String { path }
    private var db: OpaquePointer?

    /// Opens the store file at `path` (see ``EvidenceStore/init(path:create:)``).
    public init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        // What the path is, by the one rule every reader uses: opening a FIFO or a device
        // would hang or read without end.
        var exists = true
        var special: String?
        do { special = try RegularFile.nonRegularKind(path) } catch { exists = false }
        if let special {
            throw .notAStore(path: path, reason: special == "a folder"
                ? "it is a folder; give the store's file, such as .warrant/evidence.sqlite"
                : "it is \(special), not a regular file")
        }
        if !exists && !create { throw .missing(path: path) }
        // A file another writer has just created is empty until its schema is committed;
        // a writer that may create the store waits for that writer instead of refusing.
        if exists && !(create && Self.isEmptyFile(path)) { try Self.checkHeader(path) }
        if !exists {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                } catch {
                    throw .sqlite(path: path, during: "creating its folder", code: SQLITE_CANTOPEN,
                                  message: "cannot create \(dir) (\(error.localizedDescription))")
                }
            }
        }
        // A store opened only to read is opened read-only, so an auditor's copy on a
        // read-only disk (or without write permission) serves check, report, gate and verify.
        let flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        try open(path, flags: flags)
        if create {
            try createSchemaIfAbsent()
        }
        do {
            try validateExisting()
        } catch let error where !create && [SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR].contains((error.resultCode ?? 0) & 0xFF) {
            // A WAL store in a folder it cannot write (no -shm can be made): read it as an
            // immutable file, which needs no locks and no side files.
            sqlite3_close(db)
            db = nil
            var components = URLComponents()
            components.scheme = "file"
            components.path = URL(fileURLWithPath: path).standardizedFileURL.path
            components.queryItems = [URLQueryItem(name: "immutable", value: "1")]
            try open(components.string ?? path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI)
            try validateExisting()
        }
    }

    private func open(_ name: String, flags: Int32) throws(StoreError) {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(name, &handle, flags, nil)
        db = handle
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            db = nil
            throw .sqlite(path: path, during: "opening", code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 30_000)
    }

    static func isEmptyFile(_ path: String) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1) == 0
    }

    deinit {
        sqlite3_close(db)
    }

    /// An SQLite file starts with this 16-byte header; anything else is refused
    /// before SQLite touches it.
    static func checkHeader(_ path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .sqlite(path: path, during: "opening", code: SQLITE_CANTOPEN, message: "cannot read the file")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { throw .notAStore(path: path, reason: "the file is empty") }
        if header != Data("SQLite format 3\0".utf8) {
            throw .notAStore(path: path, reason: "not an SQLite database")
        }
    }

    private func validateExisting() throws(StoreError) {
        // Read-only queries first: nothing is written until the file is known good.
        let tables: [String]
        do {
            tables = try query("SELECT name FROM sqlite_master WHERE type = 'table'") { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }
        } catch {
            throw classify(error, during: "reading the schema")
        }
        guard tables.contains("warrant_meta"), tables.contains("records") else {
            throw .notAStore(path: path, reason: "an SQLite database without Warrant's tables")
        }
        let versions: [String]
        do {
            versions = try query("SELECT value FROM warrant_meta WHERE key = 'schema_version'") { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }
        } catch {
            throw classify(error, during: "reading the store version")
        }
        guard let text = versions.first, let version = Int(text) else {
            throw .notAStore(path: path, reason: "no schema version recorded")
        }
        if version > EvidenceStore.schemaVersion {
            throw .newerFormat(path: path, found: version, supported: EvidenceStore.schemaVersion)
        }
        do {
            _ = try query("SELECT count(*) FROM records") { _ in 0 }
            if version < EvidenceStore.schemaVersion {
                guard sqlite3_db_readonly(db, "main") == 0 else {
                    throw StoreError.notAStore(path: path, reason: "it has an older store schema (\(version)); open it once with a command that writes, to upgrade it")
                }
                try migrate(from: version)
            }
        } catch {
            throw classify(error, during: "reading the records")
        }
    }

    /// Upgrades an older store in one transaction. Version 1 is the first, so
    /// there is nothing to migrate yet; each future version adds a step here.
    private func migrate(from version: Int) throws(StoreError) {
        var v = version
        while v < EvidenceStore.schemaVersion {
            switch v {
            default: break
            }
            v += 1
        }
        try execute("UPDATE warrant_meta SET value = '\(EvidenceStore.schemaVersion)' WHERE key = 'schema_version'", during: "migrating")
    }

    /// Creates Warrant's tables unless they exist. The check and the creation happen
    /// under one write lock (`BEGIN IMMEDIATE`, waiting out other writers), so eight
    /// processes creating the same new store all end up with the one schema.
    private func createSchemaIfAbsent() throws(StoreError) {
        // An existing foreign SQLite file must not gain Warrant's tables.
        try execute("BEGIN IMMEDIATE", during: "creating the store")
        do {
            let tables = try query("SELECT name FROM sqlite_master WHERE type = 'table'") { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }
            if !tables.isEmpty {
                try execute("COMMIT", during: "creating the store")
                return
            }
            try execute("""
                CREATE TABLE warrant_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                INSERT INTO warrant_meta VALUES ('format', 'warrant-evidence'), ('schema_version', '\(EvidenceStore.schemaVersion)');
                CREATE TABLE records (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    previous TEXT,
                    kind TEXT NOT NULL,
                    subject_sha256 TEXT,
                    method TEXT,
                    evaluation_key TEXT,
                    source_sha256 TEXT,
                    source_path TEXT,
                    created TEXT NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE INDEX records_kind ON records(kind);
                CREATE INDEX records_evaluation_key ON records(evaluation_key);
                CREATE INDEX records_source ON records(source_sha256);
                CREATE TRIGGER records_are_immutable BEFORE UPDATE ON records
                    BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
                CREATE TRIGGER records_are_never_deleted BEFORE DELETE ON records
                    BEGIN SELECT RAISE(ABORT, 'evidence records are never deleted'); END;
                COMMIT;
                """, during: "creating the store")
        } catch {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw classify(error, during: "creating the store")
        }
        // WAL lets readers go on while a writer appends; switching needs no transaction
        // open, and a concurrent switch by another creator is harmless. A creator that finds
        // the file busy (another one is appending or switching it) goes on: the other's
        // switch serves, and the rollback journal is as safe meanwhile.
        do {
            try execute("PRAGMA journal_mode = WAL", during: "enabling WAL")
        } catch let error where [SQLITE_BUSY, SQLITE_LOCKED].contains((error.resultCode ?? 0) & 0xFF) {
        }
    }

    // MARK: EvidenceBackend

    public func append(_ seal: (String?) throws(StoreError) -> EvidenceRecord) throws(StoreError) -> EvidenceRecord {
        try execute("BEGIN IMMEDIATE", during: "starting a write")
        do {
            let last = try query("SELECT id FROM records ORDER BY seq DESC LIMIT 1") { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }.first
            let record = try seal(last)
            let columns = EvidenceStore.indexedColumns(record)
            try run("""
                INSERT INTO records (\(columns.map(\.column).joined(separator: ", ")), body)
                VALUES (\(Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")))
                """, columns.map(\.value) + [record.json().canonical],
                during: "adding a record")
            try execute("COMMIT", during: "committing a record")
            return record
        } catch {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw classify(error, during: "adding a record")
        }
    }

    public func rows(matching filters: [(column: String, value: String)]) throws(StoreError) -> [(id: String, body: String)] {
        let known = Set(EvidenceStore.indexedColumnNames)
        let usable = filters.filter { known.contains($0.column) }
        let sql = "SELECT id, body FROM records"
            + (usable.isEmpty ? "" : " WHERE " + usable.map { "\($0.column) = ?" }.joined(separator: " AND ")) + " ORDER BY seq"
        do {
            return try query(sql, usable.map(\.value)) { stmt in (Self.exactText(stmt, 0) ?? "", Self.exactText(stmt, 1) ?? "") }
        } catch {
            throw classify(error, during: "reading records")
        }
    }

    public func rows(idPrefix prefix: String, limit: Int) throws(StoreError) -> [(id: String, body: String)] {
        do {
            return try query("SELECT id, body FROM records WHERE id LIKE ? ORDER BY seq LIMIT \(max(limit, 0))", [prefix + "%"]) { stmt in
                (Self.exactText(stmt, 0) ?? "", Self.exactText(stmt, 1) ?? "")
            }
        } catch {
            throw classify(error, during: "reading a record")
        }
    }

    public func allRows() throws(StoreError) -> [StoredRow] {
        let names = EvidenceStore.indexedColumnNames
        do {
            return try query("SELECT \(names.joined(separator: ", ")), body FROM records ORDER BY seq") { stmt in
                // Types first: reading a BLOB as text converts it.
                let types = (0...names.count).map { sqlite3_column_type(stmt, Int32($0)) }
                return StoredRow(columns: (0..<names.count).map { Self.exactText(stmt, Int32($0)) },
                                 body: Self.exactText(stmt, Int32(names.count)),
                                 nonTextColumn: types.firstIndex { $0 != SQLITE_TEXT && $0 != SQLITE_NULL })
            }
        } catch {
            throw classify(error, during: "reading records to verify")
        }
    }

    public func recordCount() throws(StoreError) -> Int {
        do {
            return try query("SELECT count(*) FROM records") { stmt in Int(sqlite3_column_int64(stmt, 0)) }.first ?? 0
        } catch {
            throw classify(error, during: "counting records")
        }
    }

    public func id(atPosition position: Int) throws(StoreError) -> String? {
        guard position >= 1 else { return nil }
        do {
            return try query("SELECT id FROM records ORDER BY seq LIMIT 1 OFFSET \(position - 1)") { stmt in
                Self.exactText(stmt, 0) ?? ""
            }.first
        } catch {
            throw classify(error, during: "reading the chain")
        }
    }

    /// The objects Warrant's schema consists of. Anything missing (a dropped trigger) or
    /// added (an index or view of someone else's) means the file was edited by hand.
    static let expectedSchema: Set<String> = [
        "table warrant_meta", "table records", "table sqlite_sequence",
        "index records_kind", "index records_evaluation_key", "index records_source",
        "index sqlite_autoindex_warrant_meta_1", "index sqlite_autoindex_records_1",
        "trigger records_are_immutable", "trigger records_are_never_deleted",
    ]

    public func schemaProblem() throws(StoreError) -> String? {
        let objects: [String]
        do {
            objects = try query("SELECT type, name FROM sqlite_master") { stmt in
                "\(Self.exactText(stmt, 0) ?? "") \(Self.exactText(stmt, 1) ?? "")"
            }
        } catch {
            throw classify(error, during: "reading the schema")
        }
        let found = Set(objects)
        if let missing = Self.expectedSchema.subtracting(found).filter({ $0 != "table sqlite_sequence" }).sorted().first {
            return "the store's schema lacks its \(missing) (it was removed by hand: records may have been edited or deleted)"
        }
        if let extra = found.subtracting(Self.expectedSchema).sorted().first {
            return "the store's schema has an object Warrant did not create, \(extra) (it was added by hand)"
        }
        return nil
    }

    /// A text column's exact bytes (a NUL inside is kept, so it cannot shorten a value).
    static func exactText(_ stmt: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(stmt, column) != SQLITE_NULL, let bytes = sqlite3_column_text(stmt, column) else { return nil }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    // MARK: SQLite plumbing

    private struct SQLiteFailure: Error {
        var code: Int32
        var message: String
    }

    private func classify(_ error: Error, during: String) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let f = error as? SQLiteFailure else {
            return .sqlite(path: path, during: during, code: SQLITE_ERROR, message: "\(error)")
        }
        switch f.code & 0xFF {
        case SQLITE_CORRUPT: return .corrupt(path: path, message: f.message)
        case SQLITE_NOTADB: return .notAStore(path: path, reason: f.message)
        case SQLITE_READONLY: return .readOnly(path: path)
        default: return .sqlite(path: path, during: during, code: f.code, message: f.message)
        }
    }

    private func execute(_ sql: String, during: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(message)
            throw classify(SQLiteFailure(code: rc, message: text), during: during)
        }
    }

    private func run(_ sql: String, _ args: [String?], during: String) throws(StoreError) {
        do {
            _ = try query(sql, args) { _ in 0 }
        } catch {
            throw classify(error, during: during)
        }
    }

    private func query<T>(_ sql: String, _ args: [String?] = [], _ row: (OpaquePointer) -> T) throws -> [T] {
        var stmt: OpaquePointer?
        var rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteFailure(code: rc, message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(stmt) }
        for (k, arg) in args.enumerated() {
            if let arg {
                sqlite3_bind_text(stmt, Int32(k + 1), arg, -1, csqlite_transient())
            } else {
                sqlite3_bind_null(stmt, Int32(k + 1))
            }
        }
        var out: [T] = []
        while true {
            rc = sqlite3_step(stmt)
            if rc == SQLITE_ROW { out.append(row(stmt)); continue }
            if rc == SQLITE_DONE { break }
            throw SQLiteFailure(code: rc, message: String(cString: sqlite3_errmsg(db)))
        }
        return out
    }
}
