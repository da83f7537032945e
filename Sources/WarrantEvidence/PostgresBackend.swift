import CPostgres
import Foundation
import WarrantCore

/// The evidence store in a PostgreSQL database, through Debian's `libpq`: the records of
/// the SQLite store, with the same ids and hash chain, in the schema `warrant`.
///
/// - Appends take a transaction-scoped advisory lock, so writers on any machine append one
///   at a time and each links to the true last record. The server enforces the chain as
///   well: `previous` is unique (two records cannot follow the same one) and only one
///   record may have none.
/// - Triggers refuse UPDATE, DELETE and TRUNCATE, and the roles that
///   `scripts/postgres-roles.sql` creates hold no privilege to try: a writer may insert and
///   read, an auditor may only read.
/// - `verify` re-derives everything from the bodies, as for SQLite, and
///   ``schemaProblem()`` also finds a disabled trigger, a replaced trigger function, a rule
///   or row-level security (which could hide rows from a reader), and a changed column type.
///
/// The address is a libpq URL, `postgresql://USER@HOST:PORT/DB`. A password is refused in
/// it: addresses end up in cases, logs and shell histories. Give it in `PGPASSWORD` or
/// `~/.pgpass`, as for every PostgreSQL client.
public final class PostgresBackend: EvidenceBackend {
    public let location: String
    private var connection: OpaquePointer?

    /// Keys of the advisory locks: one for creating the schema, one for appending.
    static let lockKey: Int32 = 0x5741_5252   // "WARR"

    /// The SQL that creates Warrant's schema, in the order it runs.
    static let schemaSQL = """
        CREATE SCHEMA warrant;
        CREATE TABLE warrant.meta (key text PRIMARY KEY, value text NOT NULL);
        INSERT INTO warrant.meta VALUES ('format', 'warrant-evidence'), ('schema_version', '\(EvidenceStore.schemaVersion)');
        CREATE TABLE warrant.records (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            previous text UNIQUE,
            kind text NOT NULL,
            subject_sha256 text,
            method text,
            evaluation_key text,
            source_sha256 text,
            source_path text,
            created text NOT NULL,
            body text NOT NULL
        );
        CREATE UNIQUE INDEX records_one_first ON warrant.records ((previous IS NULL)) WHERE previous IS NULL;
        CREATE INDEX records_kind ON warrant.records (kind);
        CREATE INDEX records_evaluation_key ON warrant.records (evaluation_key);
        CREATE INDEX records_source ON warrant.records (source_sha256);
        CREATE FUNCTION warrant.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$\(refuseChangeSource)$body$;
        CREATE TRIGGER records_are_immutable BEFORE UPDATE OR DELETE ON warrant.records
            FOR EACH ROW EXECUTE FUNCTION warrant.refuse_change();
        CREATE TRIGGER records_are_never_truncated BEFORE TRUNCATE ON warrant.records
            FOR EACH STATEMENT EXECUTE FUNCTION warrant.refuse_change();
        CREATE TRIGGER meta_is_immutable BEFORE UPDATE OR DELETE ON warrant.meta
            FOR EACH ROW EXECUTE FUNCTION warrant.refuse_change();
        CREATE TRIGGER meta_is_never_truncated BEFORE TRUNCATE ON warrant.meta
            FOR EACH STATEMENT EXECUTE FUNCTION warrant.refuse_change();
        REVOKE ALL ON SCHEMA warrant FROM PUBLIC;
        REVOKE ALL ON ALL TABLES IN SCHEMA warrant FROM PUBLIC;
        """
    static let refuseChangeSource = " BEGIN RAISE EXCEPTION 'evidence records are immutable and never deleted (% on %)', TG_OP, TG_TABLE_NAME; END; "

    /// What a store whose schema nobody edited holds in `warrant`: relations by kind and
    /// name, and its triggers.
    static let expectedRelations: Set<String> = [
        "r meta", "r records", "i meta_pkey", "i records_pkey", "i records_id_key", "i records_previous_key",
        "i records_one_first", "i records_kind", "i records_evaluation_key", "i records_source", "S records_seq_seq",
    ]
    static let expectedTriggers: Set<String> = [
        "records_are_immutable", "records_are_never_truncated", "meta_is_immutable", "meta_is_never_truncated",
    ]

    /// Opens the store at `url` (see ``EvidenceStore/init(path:create:)``). Without
    /// `create` the session is read-only, so a reading command cannot change the store
    /// even with a role that could.
    public init(url: String, create: Bool) throws(StoreError) {
        location = url
        try Self.refusePassword(in: url)
        // Defaults before the URL, so the URL's own settings win; a server that does not
        // answer is given up on after 10 s instead of hanging a gate.
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "warrant", url]
        connection = Self.connect(keywords: keywords, values: values)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { Self.text(PQerrorMessage($0)) } ?? "out of memory"
            throw .postgres(location: location, during: "connecting", sqlstate: "08001",
                            message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // Only the server's own catalog resolves unqualified names: a table or function of
        // someone else's cannot stand in for one Warrant uses.
        try execute("SET search_path TO pg_catalog, pg_temp", during: "setting up the session")
        try execute("SET client_encoding TO 'UTF8'", during: "setting up the session")
        if !create {
            try execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", during: "setting up the session")
        }
        if create { try createSchemaIfAbsent() }
        try validateExisting()
    }

    deinit {
        PQfinish(connection)
    }

    /// Refuses an address that carries a password (`user:secret@host`, or `password=`).
    static func refusePassword(in url: String) throws(StoreError) {
        if let problem = StoreAddress.passwordProblem(url) { throw .unsafeAddress(problem) }
    }

    private func createSchemaIfAbsent() throws(StoreError) {
        try execute("BEGIN", during: "creating the store")
        do {
            // Several writers creating one new store: the first creates it, the rest wait
            // for it here and find it made.
            _ = try query("SELECT pg_advisory_xact_lock($1, 0)", [String(Self.lockKey)], during: "creating the store")
            let present = try query("SELECT to_regnamespace('warrant') IS NOT NULL", during: "creating the store")
            if Self.scalar(present) == "f" {
                try execute(Self.schemaSQL, during: "creating the store (a role that may create schemas in this database must do this once: `warrant evidence init --store URL`)")
            }
            try execute("COMMIT", during: "creating the store")
        } catch {
            _ = PQexec(connection, "ROLLBACK").map { PQclear($0) }
            throw error
        }
    }

    private func validateExisting() throws(StoreError) {
        let present = try query("""
            SELECT to_regnamespace('warrant') IS NOT NULL, to_regclass('warrant.records') IS NOT NULL AND to_regclass('warrant.meta') IS NOT NULL
            """, during: "reading the schema")
        guard present.first?.first == "t" else { throw .missing(path: location) }
        guard present.first?.last == "t" else {
            throw .notAStore(path: location, reason: "its schema `warrant` lacks Warrant's tables (another program's schema of that name?)")
        }
        let rows = try query("SELECT key, value FROM warrant.meta", during: "reading the store version")
        let meta = Dictionary(rows.compactMap { r in r.count == 2 ? r[0].map { ($0, r[1] ?? "") } : nil }, uniquingKeysWith: { a, _ in a })
        guard meta["format"] == "warrant-evidence" else {
            throw .notAStore(path: location, reason: "its schema `warrant` was not made by Warrant (no format recorded)")
        }
        guard let text = meta["schema_version"], let version = Int(text) else {
            throw .notAStore(path: location, reason: "no schema version recorded")
        }
        if version > EvidenceStore.schemaVersion {
            throw .newerFormat(path: location, found: version, supported: EvidenceStore.schemaVersion)
        }
        if version < EvidenceStore.schemaVersion {
            throw .notAStore(path: location, reason: "it has an older store schema (\(version)) that this Warrant cannot upgrade")
        }
    }

    // MARK: EvidenceBackend

    public func append(_ seal: (String?) throws(StoreError) -> EvidenceRecord) throws(StoreError) -> EvidenceRecord {
        try execute("BEGIN", during: "starting a write")
        do {
            _ = try query("SELECT pg_advisory_xact_lock($1, 1)", [String(Self.lockKey)], during: "waiting for other writers")
            let last = try query("SELECT id FROM warrant.records ORDER BY seq DESC LIMIT 1", during: "reading the chain's end")
            let record = try seal(Self.scalar(last))
            let columns = EvidenceStore.indexedColumns(record)
            let placeholders = (1...columns.count + 1).map { "$\($0)" }.joined(separator: ", ")
            _ = try query("INSERT INTO warrant.records (\(columns.map(\.column).joined(separator: ", ")), body) VALUES (\(placeholders))",
                          columns.map(\.value) + [record.json().canonical], during: "adding a record")
            try execute("COMMIT", during: "committing a record")
            return record
        } catch {
            _ = PQexec(connection, "ROLLBACK").map { PQclear($0) }
            throw error
        }
    }

    public func rows(matching filters: [(column: String, value: String)]) throws(StoreError) -> [(id: String, body: String)] {
        let known = Set(EvidenceStore.indexedColumnNames)
        let usable = filters.filter { known.contains($0.column) }
        let clauses = usable.enumerated().map { "\($0.element.column) = $\($0.offset + 1)" }
        let sql = "SELECT id, body FROM warrant.records" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY seq"
        return try query(sql, usable.map(\.value), during: "reading records").map { ($0[0] ?? "", $0[1] ?? "") }
    }

    public func rows(idPrefix prefix: String, limit: Int) throws(StoreError) -> [(id: String, body: String)] {
        // The prefix is hex (the store checks it), so it holds no LIKE wildcard.
        try query("SELECT id, body FROM warrant.records WHERE id LIKE $1 ORDER BY seq LIMIT \(max(limit, 0))",
                  [prefix + "%"], during: "reading a record").map { ($0[0] ?? "", $0[1] ?? "") }
    }

    public func allRows() throws(StoreError) -> [StoredRow] {
        let names = EvidenceStore.indexedColumnNames
        var types: [UInt32] = []
        let rows = try query("SELECT \(names.joined(separator: ", ")), body FROM warrant.records ORDER BY seq",
                             during: "reading records to verify", types: &types)
        // A column whose type was changed by hand (to bytea, say) reads back as other text.
        let nonText = types.firstIndex { $0 != Self.textOID }
        return rows.map { StoredRow(columns: Array($0.prefix(names.count)), body: $0.count > names.count ? $0[names.count] : nil,
                                    nonTextColumn: nonText) }
    }

    public func recordCount() throws(StoreError) -> Int {
        let rows = try query("SELECT count(*) FROM warrant.records", during: "counting records")
        return Self.scalar(rows).flatMap { Int($0) } ?? 0
    }

    public func id(atPosition position: Int) throws(StoreError) -> String? {
        guard position >= 1 else { return nil }
        return Self.scalar(try query("SELECT id FROM warrant.records ORDER BY seq LIMIT 1 OFFSET \(position - 1)",
                                     during: "reading the chain"))
    }

    public func schemaProblem() throws(StoreError) -> String? {
        let relations = try query("""
            SELECT c.relkind::text || ' ' || c.relname, c.relrowsecurity FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'warrant'
            """, during: "reading the schema")
        let found = Set(relations.compactMap { $0.first ?? nil })
        if let missing = Self.expectedRelations.subtracting(found).sorted().first {
            return "the store's schema lacks its \(Self.describe(missing)) (it was removed by hand: records may have been edited or deleted)"
        }
        if let extra = found.subtracting(Self.expectedRelations).sorted().first {
            return "the store's schema has an object Warrant did not create, \(Self.describe(extra)) (it was added by hand)"
        }
        if let hidden = relations.first(where: { $0.count == 2 && $0[1] == "t" }) {
            return "row-level security is on for \(Self.describe(hidden[0] ?? "")) (it can hide records from a reader; it was turned on by hand)"
        }
        let triggers = try query("""
            SELECT t.tgname, t.tgenabled::text, p.proname, pn.nspname FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
            WHERE n.nspname = 'warrant' AND NOT t.tgisinternal
            """, during: "reading the schema's triggers")
        let triggerNames = Set(triggers.compactMap { $0.first ?? nil })
        if let missing = Self.expectedTriggers.subtracting(triggerNames).sorted().first {
            return "the store's schema lacks its trigger \(missing) (it was removed by hand: records may have been edited or deleted)"
        }
        if let extra = triggerNames.subtracting(Self.expectedTriggers).sorted().first {
            return "the store's schema has a trigger Warrant did not create, \(extra) (it was added by hand)"
        }
        for t in triggers where t.count == 4 {
            if t[1] != "O" { return "the store's trigger \(t[0] ?? "") is disabled (by hand: records may have been edited or deleted)" }
            if t[2] != "refuse_change" || t[3] != "warrant" {
                return "the store's trigger \(t[0] ?? "") runs \(t[3] ?? "").\(t[2] ?? ""), not Warrant's function (it was replaced by hand)"
            }
        }
        let functions = try query("""
            SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'warrant'
            """, during: "reading the schema's functions")
        guard functions.count == 1, functions[0].first == "refuse_change", functions[0].last == Self.refuseChangeSource else {
            return "the store's trigger function warrant.refuse_change was replaced or joined by another (by hand)"
        }
        let rules = try query("""
            SELECT r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'warrant'
            """, during: "reading the schema's rules")
        if let rule = rules.first?.first ?? nil {
            return "the store's schema has a rule Warrant did not create, \(rule) (rules can rewrite what is stored or read)"
        }
        return nil
    }

    static func describe(_ relation: String) -> String {
        let kinds: [Character: String] = ["r": "table", "i": "index", "S": "sequence", "v": "view", "m": "materialized view", "f": "foreign table", "p": "table"]
        guard let kind = relation.first, relation.count > 2 else { return relation }
        return "\(kinds[kind] ?? "relation") warrant.\(relation.dropFirst(2))"
    }

    // MARK: libpq plumbing

    static let textOID: UInt32 = 25

    private func execute(_ sql: String, during: String) throws(StoreError) {
        guard let result = PQexec(connection, sql) else { throw lost(during: during) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result, during: during) }
    }

    private func query(_ sql: String, _ params: [String?] = [], during: String) throws(StoreError) -> [[String?]] {
        var types: [UInt32] = []
        return try query(sql, params, during: during, types: &types)
    }

    /// Runs one statement with text parameters and returns its rows as exact text.
    private func query(_ sql: String, _ params: [String?] = [], during: String, types: inout [UInt32]) throws(StoreError) -> [[String?]] {
        // Parameters as C strings that live through the call (a NUL cannot be sent: libpq's
        // text format ends a value there, so a value holding one is refused).
        if params.contains(where: { $0?.utf8.contains(0) == true }) {
            throw .invalidRecord("a value holds a NUL character, which PostgreSQL text cannot store")
        }
        let copies: [UnsafeMutablePointer<CChar>?] = params.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(connection, sql, Int32(params.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        guard let result else { throw lost(during: during) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result, during: during) }
        let rowCount = Int(PQntuples(result)), fieldCount = Int(PQnfields(result))
        types = (0..<fieldCount).map { PQftype(result, Int32($0)) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            rows.append((0..<fieldCount).map { f -> String? in
                if PQgetisnull(result, Int32(r), Int32(f)) != 0 { return nil }
                guard let bytes = PQgetvalue(result, Int32(r), Int32(f)) else { return nil }
                let count = Int(PQgetlength(result, Int32(r), Int32(f)))
                return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
            })
        }
        return rows
    }

    private func lost(during: String) -> StoreError {
        .postgres(location: location, during: during, sqlstate: "08006",
                  message: Self.text(PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func failure(_ result: OpaquePointer, during: String) -> StoreError {
        let sqlstate = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "XX000"
        let message = (PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? Self.text(PQresultErrorMessage(result))).trimmingCharacters(in: .whitespacesAndNewlines)
        switch sqlstate {
        // No privilege to insert, or a read-only session: an auditor's role.
        case "42501" where during == "adding a record", "25006": return .readOnly(path: location)
        default: return .postgres(location: location, during: during, sqlstate: sqlstate, message: message)
        }
    }

    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// `PQconnectdbParams` over two NULL-terminated arrays of C strings.
    static func connect(keywords: [String], values: [String]) -> OpaquePointer? {
        let copies = (keywords + values).map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let k: [UnsafePointer<CChar>?] = copies.prefix(keywords.count).map { UnsafePointer($0) } + [nil]
        let v: [UnsafePointer<CChar>?] = copies.dropFirst(keywords.count).map { UnsafePointer($0) } + [nil]
        return k.withUnsafeBufferPointer { kb in
            v.withUnsafeBufferPointer { vb in
                guard let kp = kb.baseAddress, let vp = vb.baseAddress else { return nil }
                return PQconnectdbParams(kp, vp, 1)
            }
        }
    }

    /// The first column of the first row, if any.
    static func scalar(_ rows: [[String?]]) -> String? {
        rows.first?.first ?? nil
    }
}
