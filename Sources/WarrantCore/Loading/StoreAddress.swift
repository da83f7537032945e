/// What an evidence store's address is: a PostgreSQL URL or an SQLite file, and whether it
/// may be used as written.
public enum StoreAddress {
    /// Whether `address` names a PostgreSQL store (`postgresql://` or `postgres://`).
    public static func isPostgreSQL(_ address: String) -> Bool {
        address.hasPrefix("postgresql://") || address.hasPrefix("postgres://")
    }

    /// Why a PostgreSQL address must not be used as written (it holds a password, as
    /// `user:secret@host` or `password=`), or nil. Addresses end up in cases, logs and
    /// shell histories; a password belongs in `PGPASSWORD` or `~/.pgpass`.
    public static func passwordProblem(_ address: String) -> String? {
        guard isPostgreSQL(address), let scheme = address.range(of: "://") else { return nil }
        let rest = address[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
            return "the store address holds a password; remove it and give the password in PGPASSWORD or ~/.pgpass (addresses are written into cases, logs and shell histories)"
        }
        if let query = rest.firstIndex(of: "?") {
            let keys = rest[rest.index(after: query)...].split(separator: "&").map { $0.prefix { $0 != "=" }.lowercased() }
            if keys.contains("password") {
                return "the store address holds a password (`password=`); remove it and give the password in PGPASSWORD or ~/.pgpass"
            }
        }
        return nil
    }
}
