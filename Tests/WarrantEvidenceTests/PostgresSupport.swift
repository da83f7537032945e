import Foundation
@testable import WarrantEvidence

/// The PostgreSQL server the store tests run against: `WARRANT_TEST_POSTGRES` names an
/// admin URL, as `scripts/postgres-test-server.sh start` prints it. Without it the
/// PostgreSQL cases are left out; with `WARRANT_REQUIRE_POSTGRES=1`, as `.ci/run` sets, a
/// missing server fails the suite instead.
///
/// The tests never start the server themselves: a server started from the test process
/// inherits its open descriptors, and Foundation's `Process` then waits for ever on a
/// child whose descriptor the server holds.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    static let adminURL: String? = environment["WARRANT_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = environment["WARRANT_REQUIRE_POSTGRES"] == "1"
    static let psql = ["/usr/bin/psql", "/usr/local/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `url` with its database replaced by `database`.
    static func url(_ url: String, database: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let queryStart = rest[authorityEnd...].firstIndex(of: "?") ?? rest.endIndex
        return String(url[..<authorityEnd]) + "/" + database + String(rest[queryStart...])
    }

    /// `url` connecting as `user` instead.
    static func url(_ url: String, user: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority[...]
        return String(url[..<scheme.upperBound]) + user + "@" + host + String(rest.dropFirst(authority.count))
    }

    /// A new, empty database on the test server; its admin URL.
    static func newDatabase() throws -> String {
        guard let admin = adminURL else { throw Unavailable() }
        let name = "warrant_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let created = try sql(admin, "CREATE DATABASE \(name)")
        guard created.status == 0 else { throw Failed(output: created.output) }
        return url(admin, database: name)
    }

    /// Runs SQL with psql (stopping at the first error); its exit status and output.
    @discardableResult
    static func sql(_ url: String, _ statements: String) throws -> (status: Int32, output: String) {
        guard let psql else { throw Unavailable() }
        return try shell(psql, [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statements])
    }

    /// Runs an SQL file with psql.
    @discardableResult
    static func sqlFile(_ url: String, _ path: String) throws -> (status: Int32, output: String) {
        guard let psql else { throw Unavailable() }
        return try shell(psql, [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", path])
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "no PostgreSQL server for the tests: start one with scripts/postgres-test-server.sh and set WARRANT_TEST_POSTGRES" }
    }
    struct Failed: Error, CustomStringConvertible {
        var output: String
        var description: String { "psql failed: \(output)" }
    }
}

/// The two backends, for tests that must hold on both.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue == "sqlite" ? "SQLite" : "PostgreSQL" }

    /// The backends this run can test: SQLite always, PostgreSQL when a server is named.
    static var available: [Backend] { TestPostgres.adminURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// The address of a new, empty store (not yet created).
    func newStore(in dir: Scratch, name: String = "evidence") throws -> String {
        switch self {
        case .sqlite: return dir.path("\(name).sqlite")
        case .postgres: return try TestPostgres.newDatabase()
        }
    }

    /// Runs SQL on the store behind Warrant's back, as its owner (for PostgreSQL, a superuser).
    @discardableResult
    func sql(_ address: String, _ statements: String) throws -> (status: Int32, output: String) {
        switch self {
        case .sqlite: return try shell("/usr/bin/sqlite3", [address, statements])
        case .postgres: return try TestPostgres.sql(address, statements)
        }
    }

    /// The records table, as SQL names it.
    var records: String { self == .sqlite ? "records" : "warrant.records" }

    /// SQL that turns the immutability trigger off, so that an edit gets through.
    var dropImmutability: String {
        self == .sqlite ? "DROP TRIGGER records_are_immutable; DROP TRIGGER records_are_never_deleted;"
            : "ALTER TABLE warrant.records DISABLE TRIGGER USER;"
    }
}
