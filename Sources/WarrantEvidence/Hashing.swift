import Crypto
import Foundation
import WarrantFiles

/// SHA-256 helpers.
public enum Hashing {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of a file, read in chunks so a multi-gigabyte model costs no memory.
    /// Only regular files are hashed: a FIFO or `/dev/zero` would never end.
    public static func sha256Hex(fileAt path: String) throws(RegularFile.ReadError) -> String {
        var hasher = SHA256()
        try RegularFile.forEachChunk(path) { chunk in hasher.update(bufferPointer: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 that names a model in a record's subject. For a weights file, the file's
    /// own hash. For a folder (a Hugging Face model as `save_pretrained` writes it), the hash
    /// of a manifest with one line `SHA256  NAME` per `.json` and `.safetensors` file in the
    /// folder, sorted by name: config, index and every shard are covered, so a change to any
    /// of them makes older records about another model. `scope` refuses a file (a symlink
    /// out of the case's read scope) by saying why.
    public static func modelSHA256(at path: String, scope: ((String) -> String?)? = nil) throws(RegularFile.ReadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return try sha256Hex(fileAt: path)
        }
        var manifest = ""
        for name in try modelFolderFiles(path) {
            let file = path + "/" + name
            if let scope, let problem = scope(file) { throw .unreadable(file, reason: problem) }
            manifest += try sha256Hex(fileAt: file) + "  " + name + "\n"
        }
        return sha256Hex(Array(manifest.utf8))
    }

    /// The files of a model folder that ``modelSHA256(at:scope:)`` covers, sorted: its
    /// `.json` and `.safetensors` files (not hidden ones, not subfolders).
    public static func modelFolderFiles(_ folder: String) throws(RegularFile.ReadError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw .unreadable(folder, reason: "the folder cannot be listed")
        }
        let files = names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".json") || $0.hasSuffix(".safetensors")) }.sorted()
        guard files.count <= 10_000 else { throw .unreadable(folder, reason: "it holds \(files.count) model files, more than Warrant fingerprints") }
        guard !files.isEmpty else { throw .unreadable(folder, reason: "it holds no .json or .safetensors files") }
        return files
    }
}
