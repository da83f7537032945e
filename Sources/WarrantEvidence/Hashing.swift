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
}
