import Foundation
import WarrantJSON

extension EvidenceRecord {
    /// The DSSE payload type of a signed record: what a record signature covers is
    /// `PAE(signedPayloadType, canonical JSON of the record)`, id and `previous` included.
    public static let signedPayloadType = "application/vnd.warrant.evidence-record+json"

    /// The kind of the records that carry signatures.
    public static let signatureKind = "signature"

    /// The bytes a signature of this (sealed) record covers.
    public var signedMessage: [UInt8] {
        DSSE.pae(payloadType: Self.signedPayloadType, payload: Array(json().canonical.utf8))
    }

    /// A record that signs this one with `key`, to append after it.
    public func signatureRecord(key: SigningKey, signer: String?, producer: Producer) throws -> EvidenceRecord {
        var r = EvidenceRecord(kind: Self.signatureKind, producer: producer)
        r.title = "signature of record \(id.prefix(12))" + (signer.map { " by \($0)" } ?? "")
        r.provenance = .asserted
        let sig = try key.sign(signedMessage)
        r.signature = Signature(signs: id, key: key.publicKey.description, signer: signer, sig: Data(sig).base64EncodedString())
        return r
    }

    /// What a signature record says of `signed`: by which key, and whether it verifies.
    public func check(signatureOf signed: EvidenceRecord) -> SignatureCheck {
        guard let s = signature, s.signs == signed.id else { return .notASignature }
        guard let key = try? PublicKey(text: s.key) else { return .invalid(key: s.key, reason: "its key is not an Ed25519 public key") }
        guard let bytes = Data(base64Encoded: s.sig), bytes.count == 64 else {
            return .invalid(key: s.key, reason: "its signature is not 64 bytes of base64")
        }
        return key.verifies(Array(bytes), of: signed.signedMessage) ? .valid(key) : .invalid(key: s.key, reason: "the signature does not verify")
    }
}

/// The outcome of checking one signature record against the record it names.
public enum SignatureCheck: Sendable, Equatable {
    case valid(PublicKey)
    case invalid(key: String, reason: String)
    case notASignature
}
