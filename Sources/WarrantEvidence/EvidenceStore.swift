import WarrantJSON
import CSQLite
import Foundation
import WarrantFiles

/// Why the store could not do what was asked. Every case is a clear message for
/// the user; none leaves the file changed.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The file exists but is not a Warrant evidence store (not SQLite, or SQLite
    /// without Warrant's tables).
    case notAStore(path: String, reason: String)
    /// The store was written by a newer Warrant.
    case newerFormat(path: String, found: Int, supported: Int)
    /// SQLite reports the file as damaged.
    case corrupt(path: String, message: String)
    /// No store at the path (for operations that only read).
    case missing(path: String)
    /// Any other SQLite failure, with what was being done and SQLite's extended
    /// result code (`SQLITE_BUSY` is 5, `SQLITE_READONLY` 8, `SQLITE_FULL` 13...).
    case sqlite(path: String, during: String, code: Int32, message: String)
    /// A record that cannot be stored.
    case invalidRecord(String)
    /// The store can be read but not written here (a read-only disk, no permission).
    case readOnly(path: String)

    public var description: String {
        switch self {
        case .notAStore(let path, let reason): return "\(path) is not a Warrant evidence store: \(reason); it was left untouched"
        case .newerFormat(let path, let found, let supported):
            return "\(path) was written by a newer Warrant (store schema \(found); this Warrant reads up to \(supported)); it was left untouched"
        case .corrupt(let path, let message): return "\(path) is damaged (\(message)); it was left untouched"
        case .missing(let path): return "no evidence store at \(path) (add evidence first, or point --store at one)"
        case .sqlite(let path, let during, let code, let message):
            return "\(path): SQLite failed while \(during): \(message) (SQLite result code \(code))"
        case .invalidRecord(let message): return "invalid record: \(message)"
        case .readOnly(let path):
            return "\(path) is read-only here; it serves check, report, gate and verify, but adding evidence needs write access"
        }
    }

    /// SQLite's extended result code, for failures that SQLite reported.
    public var resultCode: Int32? {
        switch self {
        case .sqlite(_, _, let code, _): return code
        case .corrupt: return SQLITE_CORRUPT
        case .readOnly: return SQLITE_READONLY
        default: return nil
        }
    }
}

/// The end of the chain: how many records it holds and the id of the last one.
/// A case pins it (`policy.evidence_head`) so that a store cut short or rewritten
/// no longer matches what the case was judged against.
public struct ChainHead: Sendable, Hashable {
    public var records: Int
    /// The last record's id; nil for an empty store.
    public var id: String?
    public init(records: Int, id: String?) { self.records = records; self.id = id }
}

/// The result of `verify`: every record's hash and link recomputed.
public struct VerificationResult: Sendable {
    public var recordCount: Int
    /// The head of the chain as verified (the last record's id).
    public var head: String?
    /// The first bad record, by position in the chain, and what is wrong.
    public var firstProblem: (sequence: Int, id: String, problem: String)?
    public var isValid: Bool { firstProblem == nil }
}

/// Warrant's evidence store: one SQLite file holding an append-only hash chain of
/// records.
///
/// Writers append inside `BEGIN IMMEDIATE` transactions (WAL mode, busy timeout),
/// so several processes can add records at once without losing any and the chain
/// stays linear. Records are never updated in place; triggers refuse UPDATE and
/// DELETE, and `verify` detects what the triggers cannot stop (someone dropping
/// them, or editing the file).
public final class EvidenceStore {
    /// The store schema this Warrant writes and reads.
    public static let schemaVersion = 1
    public static let defaultRelativePath = ".warrant/evidence.sqlite"

    public let path: String
    private var db: OpaquePointer?

    /// Opens the store at `path`. With `create`, a missing file (and its folder) is
    /// created and the store can be appended to. Without it the store is opened
    /// read-only (a missing file is ``StoreError/missing(path:)``), which is what reading
    /// commands want: they work on a store the user may not write, and cannot change it.
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
        if version > Self.schemaVersion {
            throw .newerFormat(path: path, found: version, supported: Self.schemaVersion)
        }
        do {
            _ = try query("SELECT count(*) FROM records") { _ in 0 }
            if version < Self.schemaVersion {
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
        while v < Self.schemaVersion {
            switch v {
            default: break
            }
            v += 1
        }
        try execute("UPDATE warrant_meta SET value = '\(Self.schemaVersion)' WHERE key = 'schema_version'", during: "migrating")
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
                INSERT INTO warrant_meta VALUES ('format', 'warrant-evidence'), ('schema_version', '\(Self.schemaVersion)');
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

    // MARK: Appending

    /// The indexed columns of a record, as derived from its body. The body is the only
    /// truth: the columns are an index, re-derived by `verify` and re-checked by every
    /// lookup.
    static func indexedColumns(_ record: EvidenceRecord) -> [(column: String, value: String?)] {
        [("id", record.id), ("previous", record.previous), ("kind", record.kind),
         ("subject_sha256", record.subject?.sha256), ("method", record.method?.name),
         ("evaluation_key", record.evaluationKey), ("source_sha256", record.source?["sha256"]?.string),
         ("source_path", record.source?["path"]?.string), ("created", record.producer.time)]
    }

    /// Appends a record: links it to the last record, computes its id, stores it.
    /// Returns the sealed record.
    @discardableResult
    public func append(_ draft: EvidenceRecord) throws(StoreError) -> EvidenceRecord {
        try execute("BEGIN IMMEDIATE", during: "starting a write")
        do {
            let last = try query("SELECT id FROM records ORDER BY seq DESC LIMIT 1") { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }.first
            let record = draft.sealed(previous: last)
            let columns = Self.indexedColumns(record)
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

    // MARK: Reading

    /// Stored records, oldest first, optionally filtered.
    ///
    /// The columns only narrow the search: each row found is decoded and kept only if
    /// its body has the id it is stored under and the values asked for. A row whose
    /// column was edited to point elsewhere is not returned (and `verify` names it).
    public func records(kind: String? = nil, method: String? = nil, subjectSHA256: String? = nil,
                        evaluationKey: String? = nil, sourceSHA256: String? = nil,
                        sourcePath: String? = nil) throws(StoreError) -> [EvidenceRecord] {
        let filters: [(column: String, value: String?)] = [
            ("kind", kind), ("method", method), ("subject_sha256", subjectSHA256),
            ("evaluation_key", evaluationKey), ("source_sha256", sourceSHA256), ("source_path", sourcePath)]
        var clauses: [String] = []
        var args: [String?] = []
        for f in filters {
            if let value = f.value { clauses.append("\(f.column) = ?"); args.append(value) }
        }
        let sql = "SELECT id, body FROM records" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY seq"
        let rows: [(id: String, body: String)]
        do {
            rows = try query(sql, args) { stmt in (Self.exactText(stmt, 0) ?? "", Self.exactText(stmt, 1) ?? "") }
        } catch {
            throw classify(error, during: "reading records")
        }
        var out: [EvidenceRecord] = []
        for row in rows {
            let record = try Self.decode(row.body)
            guard record.id == row.id, record.contentHash == row.id else { continue }
            let actual = Dictionary(Self.indexedColumns(record).map { ($0.column, $0.value) }, uniquingKeysWith: { a, _ in a })
            if filters.allSatisfy({ $0.value == nil || actual[$0.column] == $0.value }) { out.append(record) }
        }
        return out
    }

    /// The record with this id, or the only one whose id starts with it (at least 8
    /// characters). A row whose body does not hash to its id is not returned.
    public func record(id: String) throws(StoreError) -> EvidenceRecord? {
        guard id.count >= 8, id.count <= 64, id.allSatisfy(\.isHexDigit) else { return nil }
        let rows: [(id: String, body: String)]
        do {
            rows = try query("SELECT id, body FROM records WHERE id LIKE ? ORDER BY seq LIMIT 2", [id.lowercased() + "%"]) { stmt in
                (Self.exactText(stmt, 0) ?? "", Self.exactText(stmt, 1) ?? "")
            }
        } catch {
            throw classify(error, during: "reading a record")
        }
        guard rows.count == 1 else { return nil }
        let record = try Self.decode(rows[0].body)
        guard record.id == rows[0].id, record.contentHash == rows[0].id else { return nil }
        return record
    }

    /// How many records the store holds.
    public func recordCount() throws(StoreError) -> Int {
        do {
            return try query("SELECT count(*) FROM records") { stmt in Int(sqlite3_column_int64(stmt, 0)) }.first ?? 0
        } catch {
            throw classify(error, during: "counting records")
        }
    }

    /// The id stored at a position of the chain (1 is the first record), or nil past its end.
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

    /// The head of the chain as stored (not verified: see ``verify()``).
    public func head() throws(StoreError) -> ChainHead {
        let count = try recordCount()
        return ChainHead(records: count, id: try id(atPosition: count))
    }

    static func decode(_ body: String) throws(StoreError) -> EvidenceRecord {
        do {
            return try EvidenceRecord.from(json: JSONValue.parse(body), requireID: true)
        } catch let e as JSONParseError {
            throw .invalidRecord("stored body is not JSON: \(e)")
        } catch {
            throw .invalidRecord("\(error)")
        }
    }

    // MARK: Verification

    /// Recomputes every record's hash from its body, checks the chain links, and
    /// derives every indexed column again from the body and compares it with what is
    /// stored: an edited column is as much tampering as an edited body.
    public func verify() throws(StoreError) -> VerificationResult {
        try verifiedRecords().result
    }

    /// ``verify()``, and the records as verified, oldest first: everything that judges
    /// evidence looks records up in these, never through SQL's indexes, so an index or a
    /// column that was tampered with cannot hide or substitute a record.
    ///
    /// A column must hold exactly the text its body implies (compared byte for byte, so a
    /// trailing NUL or a BLOB is caught), a body must be the record's canonical JSON, and
    /// the schema must be the one Warrant creates, immutability triggers included.
    public func verifiedRecords() throws(StoreError) -> (result: VerificationResult, records: [EvidenceRecord]) {
        let names = Self.indexedColumns(EvidenceRecord(kind: "", producer: .init(tool: "", version: "", time: ""))).map(\.column)
        struct Row { var types: [Int32]; var columns: [String?]; var body: String? }
        let rows: [Row]
        do {
            rows = try query("SELECT \(names.joined(separator: ", ")), body FROM records ORDER BY seq") { stmt in
                // Types first: reading a BLOB as text converts it.
                Row(types: (0...names.count).map { sqlite3_column_type(stmt, Int32($0)) },
                    columns: (0..<names.count).map { Self.exactText(stmt, Int32($0)) },
                    body: Self.exactText(stmt, Int32(names.count)))
            }
        } catch {
            throw classify(error, during: "reading records to verify")
        }
        var expectedPrevious: String?
        var records: [EvidenceRecord] = []
        records.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() {
            let storedID = row.columns[0] ?? ""
            func bad(_ problem: String) -> (VerificationResult, [EvidenceRecord]) {
                (VerificationResult(recordCount: rows.count, head: nil, firstProblem: (position + 1, storedID, problem)), [])
            }
            if let k = row.types.firstIndex(where: { $0 != SQLITE_TEXT && $0 != SQLITE_NULL }) {
                return bad("its column `\(k < names.count ? names[k] : "body")` is not stored as text (the store was edited)")
            }
            let record: EvidenceRecord
            do {
                record = try EvidenceRecord.from(json: JSONValue.parse(row.body ?? ""), requireID: true)
            } catch {
                return bad("its stored body cannot be read (\(error))")
            }
            if record.contentHash != storedID { return bad("its content does not match its id (the record was altered)") }
            if record.id != storedID { return bad("the id in its body differs from the stored id") }
            if row.body != record.json().canonical {
                return bad("its stored body is not the record's canonical JSON (something was added to it)")
            }
            if row.columns[1] != expectedPrevious || record.previous != expectedPrevious {
                return bad("it does not link to the record before it (a record was removed, inserted or reordered)")
            }
            for (k, derived) in Self.indexedColumns(record).enumerated() where row.columns[k] != derived.value {
                return bad("its indexed column `\(derived.column)` is \(row.columns[k].map { "'\($0.prefix(64))'" } ?? "NULL"), "
                           + "but its body says \(derived.value.map { "'\($0.prefix(64))'" } ?? "NULL") (the index was edited)")
            }
            records.append(record)
            expectedPrevious = storedID
        }
        if let problem = try schemaProblem() {
            return (VerificationResult(recordCount: rows.count, head: nil, firstProblem: (rows.count, expectedPrevious ?? "", problem)), [])
        }
        return (VerificationResult(recordCount: rows.count, head: expectedPrevious, firstProblem: nil), records)
    }

    /// The objects Warrant's schema consists of. Anything missing (a dropped trigger) or
    /// added (an index or view of someone else's) means the file was edited by hand.
    static let expectedSchema: Set<String> = [
        "table warrant_meta", "table records", "table sqlite_sequence",
        "index records_kind", "index records_evaluation_key", "index records_source",
        "index sqlite_autoindex_warrant_meta_1", "index sqlite_autoindex_records_1",
        "trigger records_are_immutable", "trigger records_are_never_deleted",
    ]

    /// What is wrong with the store's schema, or nil.
    func schemaProblem() throws(StoreError) -> String? {
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
