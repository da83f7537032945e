import Foundation
import WarrantFiles

/// Where a case may read from. A case is hostile input: a pull request can name
/// `/etc/shadow` or `../../.ssh/id_rsa` as easily as a model file.
///
/// - **Case files** (the root case and what its `uses` names) are quoted in findings, so
///   they must lie inside the root case's folder, or in a folder the person running
///   Warrant allows with `--allow-read`. The case cannot widen this itself.
/// - **Data files** (the model and its config, Inspect logs, pinned files) are only
///   hashed and parsed, never quoted; they may also lie in the folders the case lists in
///   `case.policy.read_roots` (relative to the case file), e.g. a shared `../models`.
///
/// Paths are compared after every symlink is resolved, so a link inside the case that
/// points outside it is outside.
public struct ReadScope: Sendable {
    /// Real paths of the folders case files may come from.
    public var caseRoots: [String]
    /// Real paths of the folders data files may come from (the case roots included).
    public var dataRoots: [String]

    public init(caseRoots: [String], dataRoots: [String]) {
        self.caseRoots = caseRoots.map(Self.real)
        self.dataRoots = (caseRoots + dataRoots).map(Self.real)
    }

    /// No confinement (a library caller that reads only what it chose).
    public static let unrestricted = ReadScope(caseRoots: ["/"], dataRoots: [])

    /// Why a case file may not be read, or nil when it may.
    public func problem(caseFile path: String) -> String? {
        Self.contains(caseRoots, path) ? nil
            : "\(path) is outside the case's folder (\(caseRoots.first ?? "/")); case files are read only from there, or from a folder given with --allow-read"
    }

    /// Why a data file may not be read, or nil when it may.
    public func problem(dataFile path: String) -> String? {
        Self.contains(dataRoots, path) ? nil
            : "\(path) is outside the case's folder and its `policy.read_roots`; list its folder there (or give --allow-read) to use it"
    }

    static func contains(_ roots: [String], _ path: String) -> Bool {
        let target = real(path)
        return roots.contains { root in root == "/" || target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }

    static func real(_ path: String) -> String {
        InputFiles.realPath(URL(fileURLWithPath: path).standardizedFileURL.path)
    }
}
