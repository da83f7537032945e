import WarrantJSON
import CSQLite
import Foundation

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
    /// Any other SQLite failure, with what was being done.
    case sqlite(path: String, during: String, message: String)
    /// A record that cannot be stored.
    case invalidRecord(String)

    public var description: String {
        switch self {
        case .notAStore(let path, let reason): return "\(path) is not a Warrant evidence store: \(reason); it was left untouched"
        case .newerFormat(let path, let found, let supported):
            return "\(path) was written by a newer Warrant (store schema \(found); this Warrant reads up to \(supported)); it was left untouched"
        case .corrupt(let path, let message): return "\(path) is damaged (\(message)); it was left untouched"
        case .missing(let path): return "no evidence store at \(path) (add evidence first, or point --store at one)"
        case .sqlite(let path, let during, let message): return "\(path): SQLite failed while \(during): \(message)"
        case .invalidRecord(let message): return "invalid record: \(message)"
        }
    }
}

/// The result of `verify`: every record's hash and link recomputed.
public struct VerificationResult: Sendable {
    public var recordCount: Int
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

    /// Opens the store at `path`. With `create`, a missing file (and its folder)
    /// is created; otherwise a missing file is ``StoreError/missing(path:)``.
    public init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create { throw .missing(path: path) }
        if exists { try Self.checkHeader(path) }
        if !exists {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                } catch {
                    throw .sqlite(path: path, during: "creating its folder", message: "\(error.localizedDescription)")
                }
            }
        }
        let flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        db = handle
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            db = nil
            throw .sqlite(path: path, during: "opening", message: message)
        }
        sqlite3_busy_timeout(db, 30_000)
        if exists {
            try validateExisting()
        } else {
            try createSchema()
        }
    }

    deinit {
        sqlite3_close(db)
    }

    /// An SQLite file starts with this 16-byte header; anything else is refused
    /// before SQLite touches it.
    static func checkHeader(_ path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .sqlite(path: path, during: "opening", message: "cannot read the file")
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
            if version < Self.schemaVersion { try migrate(from: version) }
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

    private func createSchema() throws(StoreError) {
        try execute("PRAGMA journal_mode = WAL", during: "enabling WAL")
        try execute("""
            BEGIN IMMEDIATE;
            CREATE TABLE IF NOT EXISTS warrant_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT OR IGNORE INTO warrant_meta VALUES ('format', 'warrant-evidence'), ('schema_version', '\(Self.schemaVersion)');
            CREATE TABLE IF NOT EXISTS records (
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
            CREATE INDEX IF NOT EXISTS records_kind ON records(kind);
            CREATE INDEX IF NOT EXISTS records_evaluation_key ON records(evaluation_key);
            CREATE INDEX IF NOT EXISTS records_source ON records(source_sha256);
            CREATE TRIGGER IF NOT EXISTS records_are_immutable BEFORE UPDATE ON records
                BEGIN SELECT RAISE(ABORT, 'evidence records are immutable'); END;
            CREATE TRIGGER IF NOT EXISTS records_are_never_deleted BEFORE DELETE ON records
                BEGIN SELECT RAISE(ABORT, 'evidence records are never deleted'); END;
            COMMIT;
            """, during: "creating the store")
    }

    // MARK: Appending

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
            let body = record.json().canonical
            let sourceSHA = record.source?["sha256"]?.string
            let sourcePath = record.source?["path"]?.string
            try run("""
                INSERT INTO records (id, previous, kind, subject_sha256, method, evaluation_key, source_sha256, source_path, created, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [record.id, record.previous, record.kind, record.subject?.sha256, record.method?.name,
                      record.evaluationKey, sourceSHA, sourcePath, record.producer.time, body],
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
    public func records(kind: String? = nil, method: String? = nil, subjectSHA256: String? = nil,
                        evaluationKey: String? = nil, sourceSHA256: String? = nil,
                        sourcePath: String? = nil) throws(StoreError) -> [EvidenceRecord] {
        var clauses: [String] = []
        var args: [String?] = []
        for (column, value) in [("kind", kind), ("method", method), ("subject_sha256", subjectSHA256),
                                ("evaluation_key", evaluationKey), ("source_sha256", sourceSHA256),
                                ("source_path", sourcePath)] {
            if let value { clauses.append("\(column) = ?"); args.append(value) }
        }
        let sql = "SELECT body FROM records" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY seq"
        let bodies: [String]
        do {
            bodies = try query(sql, args) { stmt in String(cString: sqlite3_column_text(stmt, 0)) }
        } catch {
            throw classify(error, during: "reading records")
        }
        return try bodies.map { body throws(StoreError) in try Self.decode(body) }
    }

    /// The record with this id, or the only one whose id starts with it (at least 8 characters).
    public func record(id: String) throws(StoreError) -> EvidenceRecord? {
        guard id.count >= 8, id.allSatisfy(\.isHexDigit) else { return nil }
        let bodies: [String]
        do {
            bodies = try query("SELECT body FROM records WHERE id LIKE ? ORDER BY seq LIMIT 2", [id.lowercased() + "%"]) { stmt in
                String(cString: sqlite3_column_text(stmt, 0))
            }
        } catch {
            throw classify(error, during: "reading a record")
        }
        guard bodies.count == 1 else { return nil }
        return try Self.decode(bodies[0])
    }

    public var count: Int {
        (try? query("SELECT count(*) FROM records") { stmt in Int(sqlite3_column_int64(stmt, 0)) }.first) ?? 0
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

    /// Recomputes every record's hash from its body and checks the chain links
    /// and the indexed columns against the body.
    public func verify() throws(StoreError) -> VerificationResult {
        struct Row { var seq: Int; var id: String; var previous: String?; var kind: String; var body: String }
        let rows: [Row]
        do {
            rows = try query("SELECT seq, id, previous, kind, body FROM records ORDER BY seq") { stmt in
                Row(seq: Int(sqlite3_column_int64(stmt, 0)),
                    id: String(cString: sqlite3_column_text(stmt, 1)),
                    previous: sqlite3_column_type(stmt, 2) == SQLITE_NULL ? nil : String(cString: sqlite3_column_text(stmt, 2)),
                    kind: String(cString: sqlite3_column_text(stmt, 3)),
                    body: String(cString: sqlite3_column_text(stmt, 4)))
            }
        } catch {
            throw classify(error, during: "reading records to verify")
        }
        var expectedPrevious: String?
        for (position, row) in rows.enumerated() {
            func bad(_ problem: String) -> VerificationResult {
                VerificationResult(recordCount: rows.count, firstProblem: (position + 1, row.id, problem))
            }
            let record: EvidenceRecord
            do {
                record = try EvidenceRecord.from(json: JSONValue.parse(row.body), requireID: true)
            } catch {
                return bad("its stored body cannot be read (\(error))")
            }
            if record.contentHash != row.id { return bad("its content does not match its id (the record was altered)") }
            if record.id != row.id { return bad("the id in its body differs from the stored id") }
            if row.previous != expectedPrevious || record.previous != expectedPrevious {
                return bad("it does not link to the record before it (a record was removed, inserted or reordered)")
            }
            if row.kind != record.kind { return bad("its indexed kind differs from its body") }
            expectedPrevious = row.id
        }
        return VerificationResult(recordCount: rows.count, firstProblem: nil)
    }

    // MARK: SQLite plumbing

    private struct SQLiteFailure: Error {
        var code: Int32
        var message: String
    }

    private func classify(_ error: Error, during: String) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let f = error as? SQLiteFailure else { return .sqlite(path: path, during: during, message: "\(error)") }
        switch f.code & 0xFF {
        case SQLITE_CORRUPT: return .corrupt(path: path, message: f.message)
        case SQLITE_NOTADB: return .notAStore(path: path, reason: f.message)
        default: return .sqlite(path: path, during: during, message: f.message)
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
