import WarrantCore
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
    /// The store can be read but not written here (a read-only disk, no permission, or a
    /// PostgreSQL role that may only read).
    case readOnly(path: String)
    /// A PostgreSQL failure, with what was being done and the server's SQLSTATE
    /// (`42501` is a missing privilege, `23505` a unique key, `08006` a lost connection).
    case postgres(location: String, during: String, sqlstate: String, message: String)
    /// A store address Warrant will not use as given, such as one holding a password.
    case unsafeAddress(String)

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
        case .postgres(let location, let during, let sqlstate, let message):
            return "\(location): PostgreSQL failed while \(during): \(message) (SQLSTATE \(sqlstate))"
        case .unsafeAddress(let reason): return reason
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


/// One row of a store exactly as the backend holds it: the indexed columns in the order
/// of ``EvidenceStore/indexedColumnNames``, then the body.
public struct StoredRow: Sendable {
    /// Each indexed column's exact text, or nil for NULL.
    public var columns: [String?]
    public var body: String?
    /// The index (in `columns`, or `columns.count` for the body) of a value the backend
    /// holds as something other than text, such as an SQLite BLOB: only an edit makes one.
    public var nonTextColumn: Int?

    public init(columns: [String?], body: String?, nonTextColumn: Int? = nil) {
        self.columns = columns
        self.body = body
        self.nonTextColumn = nonTextColumn
    }
}

/// Where records are kept: an SQLite file or a PostgreSQL database. A backend stores rows
/// and reports what is stored; it judges nothing. ``EvidenceStore`` decodes, links and
/// verifies, the same way for every backend, so the rest of Warrant never knows which one
/// it has.
///
/// Every method throws ``StoreError``; none changes a stored row.
public protocol EvidenceBackend: AnyObject {
    /// The store's address for messages: a file path, or a URL without a password.
    var location: String { get }

    /// Appends one record under the backend's write lock, so that the chain never forks:
    /// `seal` gets the id of the last record (nil for an empty store) and returns the record
    /// to store, or throws to store nothing.
    func append(_ seal: (_ lastID: String?) throws(StoreError) -> EvidenceRecord) throws(StoreError) -> EvidenceRecord

    /// `(id, body)` of each row whose columns equal the given values, oldest first.
    func rows(matching filters: [(column: String, value: String)]) throws(StoreError) -> [(id: String, body: String)]

    /// `(id, body)` of up to `limit` rows whose id starts with `prefix` (lowercase hex), oldest first.
    func rows(idPrefix prefix: String, limit: Int) throws(StoreError) -> [(id: String, body: String)]

    /// Every row, oldest first, as stored.
    func allRows() throws(StoreError) -> [StoredRow]

    func recordCount() throws(StoreError) -> Int

    /// The id stored at a position of the chain (1 is the first record), or nil past its end.
    func id(atPosition position: Int) throws(StoreError) -> String?

    /// What is wrong with the store's schema (an object removed or added by hand, a
    /// disabled trigger), or nil.
    func schemaProblem() throws(StoreError) -> String?
}

/// Warrant's evidence store: an append-only hash chain of records, in an SQLite file or
/// in a PostgreSQL database (see ``EvidenceBackend``).
///
/// Writers append under the backend's write lock, so several processes can add records
/// at once without losing any and the chain stays linear. Records are never updated in
/// place; the backend refuses UPDATE and DELETE, and `verify` detects what it cannot stop
/// (someone removing its triggers, or editing the file).
public final class EvidenceStore {
    /// The store schema this Warrant writes and reads.
    public static let schemaVersion = 1
    public static let defaultRelativePath = ".warrant/evidence.sqlite"

    /// The store's address: an SQLite file's path, or a `postgresql://` URL.
    public let path: String
    /// Where the rows are.
    public let backend: any EvidenceBackend

    /// Whether `address` names a PostgreSQL store (`postgresql://` or `postgres://`)
    /// rather than an SQLite file.
    public static func isPostgreSQL(_ address: String) -> Bool { StoreAddress.isPostgreSQL(address) }

    /// Opens the store at `path`: a `postgresql://USER@HOST:PORT/DB` URL, or an SQLite
    /// file. With `create`, a missing store is created and can be appended to. Without it
    /// the store is opened read-only (a missing one is ``StoreError/missing(path:)``),
    /// which is what reading commands want: they work on a store the user may not write,
    /// and cannot change it.
    public init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        if Self.isPostgreSQL(path) {
            backend = try PostgresBackend(url: path, create: create)
        } else {
            backend = try SQLiteBackend(path: path, create: create)
        }
    }

    /// A store over a backend a program made itself.
    public init(backend: any EvidenceBackend) {
        self.path = backend.location
        self.backend = backend
    }

    /// The indexed columns, in the order every backend stores them.
    public static let indexedColumnNames = indexedColumns(EvidenceRecord(kind: "", producer: .init(tool: "", version: "", time: ""))).map(\.column)

    /// The indexed columns of a record, as derived from its body. The body is the only
    /// truth: the columns are an index, re-derived by `verify` and re-checked by every
    /// lookup.
    public static func indexedColumns(_ record: EvidenceRecord) -> [(column: String, value: String?)] {
        [("id", record.id), ("previous", record.previous), ("kind", record.kind),
         ("subject_sha256", record.subject?.sha256), ("method", record.method?.name),
         ("evaluation_key", record.evaluationKey), ("source_sha256", record.source?["sha256"]?.string),
         ("source_path", record.source?["path"]?.string), ("created", record.producer.time)]
    }

    // MARK: Appending

    /// Appends a record: links it to the last record, computes its id, stores it.
    /// Returns the sealed record.
    @discardableResult
    public func append(_ draft: EvidenceRecord) throws(StoreError) -> EvidenceRecord {
        try backend.append { last throws(StoreError) in draft.sealed(previous: last) }
    }

    /// Appends a record that is already sealed, keeping its id: how a chain moves from one
    /// store to another. The record must hash to its id and link to this store's last
    /// record; otherwise nothing is stored.
    @discardableResult
    public func appendSealed(_ record: EvidenceRecord) throws(StoreError) -> EvidenceRecord {
        try backend.append { last throws(StoreError) in
            let id = record.id
            guard !id.isEmpty, record.contentHash == id else {
                throw .invalidRecord("record \(id.isEmpty ? "without an id" : id) does not hash to its id")
            }
            guard record.previous == last else {
                throw .invalidRecord("record \(id) links to \(record.previous ?? "nothing (a first record)"), "
                                     + "but this store's last record is \(last ?? "none (it is empty)")")
            }
            return record
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
        let asked: [(column: String, value: String?)] = [
            ("kind", kind), ("method", method), ("subject_sha256", subjectSHA256),
            ("evaluation_key", evaluationKey), ("source_sha256", sourceSHA256), ("source_path", sourcePath)]
        let filters = asked.compactMap { f in f.value.map { (column: f.column, value: $0) } }
        var out: [EvidenceRecord] = []
        for row in try backend.rows(matching: filters) {
            let record = try Self.decode(row.body)
            guard record.id == row.id, record.contentHash == row.id else { continue }
            let actual = Dictionary(Self.indexedColumns(record).map { ($0.column, $0.value) }, uniquingKeysWith: { a, _ in a })
            if filters.allSatisfy({ actual[$0.column] == $0.value }) { out.append(record) }
        }
        return out
    }

    /// The record with this id, or the only one whose id starts with it (at least 8
    /// characters). A row whose body does not hash to its id is not returned.
    public func record(id: String) throws(StoreError) -> EvidenceRecord? {
        guard id.count >= 8, id.count <= 64, id.allSatisfy(\.isHexDigit) else { return nil }
        let rows = try backend.rows(idPrefix: id.lowercased(), limit: 2)
        guard rows.count == 1 else { return nil }
        let record = try Self.decode(rows[0].body)
        guard record.id == rows[0].id, record.contentHash == rows[0].id else { return nil }
        return record
    }

    /// How many records the store holds.
    public func recordCount() throws(StoreError) -> Int { try backend.recordCount() }

    /// The id stored at a position of the chain (1 is the first record), or nil past its end.
    public func id(atPosition position: Int) throws(StoreError) -> String? {
        guard position >= 1 else { return nil }
        return try backend.id(atPosition: position)
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
        let names = Self.indexedColumnNames
        let rows = try backend.allRows()
        var expectedPrevious: String?
        var records: [EvidenceRecord] = []
        records.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() {
            let storedID = row.columns.first.flatMap { $0 } ?? ""
            func bad(_ problem: String) -> (VerificationResult, [EvidenceRecord]) {
                (VerificationResult(recordCount: rows.count, head: nil, firstProblem: (position + 1, storedID, problem)), [])
            }
            guard row.columns.count == names.count else { return bad("the store returned a row of another shape") }
            if let k = row.nonTextColumn {
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
        if let problem = try backend.schemaProblem() {
            return (VerificationResult(recordCount: rows.count, head: nil, firstProblem: (rows.count, expectedPrevious ?? "", problem)), [])
        }
        return (VerificationResult(recordCount: rows.count, head: expectedPrevious, firstProblem: nil), records)
    }
}
