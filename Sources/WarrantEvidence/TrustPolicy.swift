import Foundation
import WarrantCore
import WarrantFiles

/// The signers a case trusts (`case.policy.signers`), by key id. An asserted record
/// counts at release when one of them has signed it.
public struct TrustPolicy: Sendable {
    /// Signer names by key id.
    public private(set) var names: [String: String] = [:]
    /// The keys, in the order the case lists them.
    public private(set) var keys: [(name: String, key: PublicKey)] = []

    public init() {}

    /// Reads the case's signers; a key that does not parse, or a key file that cannot be
    /// read or lies outside the case's read scope, is a located finding.
    public static func of(_ loaded: LoadResult) -> (TrustPolicy, [Finding]) {
        var policy = TrustPolicy()
        var findings: [Finding] = []
        for signer in loaded.assuranceCase.header?.signers ?? [] {
            let key: PublicKey
            do {
                if let text = signer.key {
                    do { key = try PublicKey(text: text.value) } catch {
                        findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: text.location,
                                                message: "the key of signer '\(signer.name.value)' is not an Ed25519 public key: \(error)"))
                        continue
                    }
                } else if let file = signer.keyFile {
                    let path = CaseLoader.resolve(file.value, from: file.location.file)
                    if let problem = loaded.scope.problem(dataFile: path) {
                        findings.append(Finding(rule: Rules.pathOutsideCase.id, severity: .error, location: file.location,
                                                message: "the key file of signer '\(signer.name.value)' cannot be read: \(problem)"))
                        continue
                    }
                    key = try KeyFiles.publicKey(path)
                } else {
                    continue
                }
            } catch {
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: signer.keyFile?.location ?? signer.location,
                                        message: "the key of signer '\(signer.name.value)' cannot be read: \(error)"))
                continue
            }
            if policy.names[key.keyID] == nil {
                policy.names[key.keyID] = signer.name.value
                policy.keys.append((signer.name.value, key))
            }
        }
        return (policy, findings)
    }

    /// The name the case gives this key, if it trusts it.
    public func name(of key: PublicKey) -> String? { names[key.keyID] }
}
