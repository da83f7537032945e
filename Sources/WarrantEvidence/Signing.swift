import Crypto
import Foundation
import WarrantFiles

/// An Ed25519 public key, written `ed25519:` followed by the base64 of its 32 raw bytes
/// (the form a case names its trusted signers in, and `warrant key generate` prints).
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    public let raw: [UInt8]

    public init(raw: [UInt8]) throws(KeyError) {
        guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw .malformed("an Ed25519 public key is 32 bytes")
        }
        self.raw = raw
    }

    /// A key swift-crypto produced, which is valid by construction.
    init(generated raw: [UInt8]) { self.raw = raw }

    /// Reads `ed25519:BASE64`.
    public init(text: String) throws(KeyError) {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.hasPrefix("ed25519:"), let bytes = Data(base64Encoded: String(t.dropFirst(8))) else {
            throw .malformed("a public key is written ed25519:BASE64 (as `warrant key generate` prints it)")
        }
        try self.init(raw: Array(bytes))
    }

    /// `ed25519:BASE64`.
    public var description: String { "ed25519:" + Data(raw).base64EncodedString() }

    /// The key's id: SHA-256 of its raw bytes, hex (DSSE's `keyid`).
    public var keyID: String { Hashing.sha256Hex(raw) }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// An Ed25519 private key (swift-crypto; BoringSSL's signatures are deterministic, so
/// the same key and message give the same bytes).
public struct SigningKey {
    let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() { key = Curve25519.Signing.PrivateKey() }

    init(seed: [UInt8]) throws(KeyError) {
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw .malformed("an Ed25519 private key is a 32-byte seed")
        }
    }

    public var publicKey: PublicKey {
        PublicKey(generated: Array(key.publicKey.rawRepresentation))
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: message))
    }
}

/// What is wrong with a key or a key file.
public enum KeyError: Error, Sendable, CustomStringConvertible {
    case malformed(String)
    case unreadable(path: String, reason: String)
    /// A private key file that others can read is refused: whoever can read it can sign.
    case exposed(path: String, mode: UInt16)
    case exists(String)

    public var description: String {
        switch self {
        case .malformed(let why): return why
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        case .exposed(let path, let mode):
            return "\(path) is readable by others (mode \(String(mode, radix: 8))); a private key must be mode 600: chmod 600 \(path)"
        case .exists(let path): return "\(path) already exists; nothing was written (choose another name)"
        }
    }
}

/// Key files: a private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, which OpenSSL
/// and Python's `cryptography` read), mode 600; a public key as one `ed25519:BASE64` line.
public enum KeyFiles {
    /// The DER of a PKCS#8 Ed25519 private key is this prefix and the 32-byte seed (RFC 8410).
    static let pkcs8Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    /// Writes `NAME.key` (mode 600) and `NAME.pub`; refuses to replace either.
    public static func generate(name: String) throws -> (privatePath: String, publicPath: String, key: PublicKey) {
        let privatePath = name + ".key", publicPath = name + ".pub"
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) { throw KeyError.exists(path) }
        let key = SigningKey()
        let der = pkcs8Prefix + Array(key.key.rawRepresentation)
        let pem = "-----BEGIN PRIVATE KEY-----\n" + Data(der).base64EncodedString() + "\n-----END PRIVATE KEY-----\n"
        // Created with mode 600 from the start, so the key is never readable by others.
        let fd = open(privatePath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw KeyError.unreadable(path: privatePath, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        try writeAll(fd: fd, Array(pem.utf8), path: privatePath)
        try OutputFile.write(key.publicKey.description + "\n", to: publicPath)
        return (privatePath, publicPath, key.publicKey)
    }

    /// Reads a private key file; refused when group or others can read it.
    public static func signingKey(at path: String) throws -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let mode = UInt16(info.st_mode & 0o777)
        if mode & 0o077 != 0 { throw KeyError.exposed(path: path, mode: mode) }
        let text = String(decoding: try RegularFile.read(path, limit: 16 << 10), as: UTF8.self)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard text.contains("-----BEGIN PRIVATE KEY-----"), let der = Data(base64Encoded: body).map(Array.init),
              der.count == 48, Array(der.prefix(16)) == pkcs8Prefix else {
            throw KeyError.malformed("\(path) is not an Ed25519 private key in PKCS#8 PEM (as `warrant key generate` writes)")
        }
        return try SigningKey(seed: Array(der.suffix(32)))
    }

    /// Reads a public key: a `.pub` file, or the key itself written `ed25519:BASE64`.
    public static func publicKey(_ fileOrKey: String) throws -> PublicKey {
        if fileOrKey.hasPrefix("ed25519:") { return try PublicKey(text: fileOrKey) }
        let text = String(decoding: try RegularFile.read(fileOrKey, limit: 16 << 10), as: UTF8.self)
        do {
            return try PublicKey(text: text)
        } catch {
            throw KeyError.malformed("\(fileOrKey): \(error)")
        }
    }

    static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw KeyError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }
}

/// DSSE's pre-authentication encoding (https://github.com/secure-systems-lab/dsse):
/// `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal. What is
/// signed is always this encoding, so a signature over one payload type can never be
/// replayed as one over another.
public enum DSSE {
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        return Array("DSSEv1 \(type.count) ".utf8) + type + Array(" \(payload.count) ".utf8) + payload
    }
}
