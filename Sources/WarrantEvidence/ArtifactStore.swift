import Foundation
import WarrantFiles

/// A folder of artifacts (trained SAEs, LIB bases, plots' data) kept by content: each file
/// is `sha256/XX/HEX`, where HEX is its SHA-256 and XX HEX's first two characters. Records
/// name artifacts by that hash, so a team can share one folder (a network disk, a bucket
/// synced to one) and anyone can fetch a record's artifact and know it is the one the
/// record was made with.
///
/// Files are written whole or not at all (a temporary file renamed into place), an
/// existing file of the right name is left alone, and every read re-hashes the file.
public struct ArtifactStore: Sendable {
    /// The folder.
    public let root: String

    /// The environment variable that names a shared folder for every build.
    public static let environmentVariable = "WARRANT_ARTIFACTS"

    /// The largest artifact kept (8 GiB): a GPT-2-sized SAE is well under it.
    public static let sizeLimit = 8 << 30

    public init(root: String) { self.root = root }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case notAHash(String)
        case missing(sha256: String, folder: String)
        case altered(sha256: String, path: String, actual: String)
        case unreadable(String)
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case .notAHash(let text): return "'\(text.prefix(80))' is not a SHA-256 (64 hex characters)"
            case .missing(let sha, let folder): return "no artifact \(sha) in \(folder)"
            case .altered(let sha, let path, let actual):
                return "\(path) should hold artifact \(sha), but its content hashes to \(actual) (it was altered)"
            case .unreadable(let reason): return reason
            case .unwritable(let path, let reason): return "cannot store an artifact at \(path): \(reason)"
            }
        }
    }

    /// Where the artifact with this hash is, or would be.
    public func path(for sha256: String) throws(Failure) -> String {
        let hex = sha256.lowercased()
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { throw .notAHash(sha256) }
        return root + "/sha256/" + hex.prefix(2) + "/" + hex
    }

    /// Keeps the file at `path` in the folder; returns its hash.
    @discardableResult
    public func put(fileAt path: String) throws(Failure) -> String {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: Self.sizeLimit) } catch { throw .unreadable("\(error)") }
        let sha = Hashing.sha256Hex(bytes)
        let target = try self.path(for: sha)
        if (try? verifiedPath(sha)) != nil { return sha }
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try OutputFile.write(bytes, to: target)
        } catch {
            throw .unwritable(path: target, reason: "\(error)")
        }
        return sha
    }

    /// The path of the artifact with this hash, after checking that its content still has it.
    public func verifiedPath(_ sha256: String) throws(Failure) -> String {
        let target = try path(for: sha256)
        guard FileManager.default.fileExists(atPath: target) else { throw .missing(sha256: sha256.lowercased(), folder: root) }
        let actual: String
        do { actual = try Hashing.sha256Hex(fileAt: target) } catch { throw .unreadable("\(error)") }
        guard actual == sha256.lowercased() else { throw .altered(sha256: sha256.lowercased(), path: target, actual: actual) }
        return target
    }

    /// Keeps every artifact a record names whose file is here, and returns the hashes of
    /// those that are not (a record made elsewhere).
    public func putArtifacts(of record: EvidenceRecord) throws(Failure) -> [String] {
        var absent: [String] = []
        for artifact in record.artifacts {
            guard FileManager.default.fileExists(atPath: artifact.path) else { absent.append(artifact.sha256); continue }
            let sha = try put(fileAt: artifact.path)
            // The file changed since the record was made: what the record names is not this.
            if sha != artifact.sha256.lowercased() { absent.append(artifact.sha256) }
        }
        return absent
    }
}
