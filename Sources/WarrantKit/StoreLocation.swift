import Foundation
import WarrantCore
import WarrantEvidence

/// Where a case's evidence store is.
///
/// In order: the store named for this run (`--store`); else `WARRANT_STORE`, which lets a
/// CI job point every case at the team's server without editing them; else the case's
/// `policy.store`; else `.warrant/evidence.sqlite` beside the case file.
public enum StoreLocation {
    /// The environment variable that names a store for every case.
    public static let environmentVariable = "WARRANT_STORE"

    public static func besideCase(_ casePath: String) -> String {
        let dir = (casePath as NSString).deletingLastPathComponent
        return dir.isEmpty ? EvidenceStore.defaultRelativePath : dir + "/" + EvidenceStore.defaultRelativePath
    }

    /// The store named for this run: `explicit`, else `WARRANT_STORE` (when set and not empty).
    public static func named(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit { return explicit }
        if let value = environment[environmentVariable], !value.isEmpty { return value }
        return nil
    }

    /// The store of the case at `casePath` whose header is `header`.
    public static func resolve(explicit: String?, casePath: String, header: CaseHeader?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let named = named(explicit: explicit, environment: environment) { return named }
        if let policy = header?.store {
            return StoreAddress.isPostgreSQL(policy.value) ? policy.value : CaseLoader.resolve(policy.value, from: policy.location.file)
        }
        return besideCase(casePath)
    }

    /// The store of a loaded case; nil for gsn2x files, which have no store.
    public static func resolve(explicit: String?, loaded: LoadResult,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let input = loaded.inputs.first else { return named(explicit: explicit, environment: environment) }
        return resolve(explicit: explicit, casePath: input, header: loaded.assuranceCase.header, environment: environment)
    }

    /// The store for a command given `--store` and perhaps `--case`: the case's header is
    /// read for its `policy.store`. A case that does not load falls back to the store beside it.
    public static func forCommand(store: String?, casePath: String?, allowRead: [String] = []) -> String {
        if let named = named(explicit: store) { return named }
        guard let casePath else { return EvidenceStore.defaultRelativePath }
        let header = (try? CaseChecker.loader(allowRead: allowRead).load(paths: [casePath], format: .warrant))?.first?.assuranceCase.header
        return resolve(explicit: nil, casePath: casePath, header: header)
    }
}
