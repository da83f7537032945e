import ArgumentParser
import WarrantKit

struct AttestationVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an attestation's signature, and that every file and store it names is unchanged.",
        discussion: """
        The attestation is a DSSE envelope holding an in-toto Statement v1. Its signature is \
        checked with --key; then every subject is found again (paths relative to the current \
        folder, as `gate` wrote them) and re-hashed, and the evidence store must still verify \
        and hold the attested head at its position.

        Exit codes: 0 the signature verifies and nothing changed, 1 the signature does not \
        verify or a subject changed (each is named), 2 the file or the key cannot be read.
        """
    )

    @Argument(help: "The attestation (a DSSE envelope, JSON).")
    var file: String

    @Option(help: "The signer's public key: a .pub file, or ed25519:BASE64.")
    var key: String

    func run() throws {
        let publicKey = try orExit { try KeyFiles.publicKey(key) }
        let result = try orExit { try Attestation.verify(envelopeAt: file, key: publicKey) }
        print(result.signatureValid ? "signature: valid (key \(publicKey.keyID.prefix(16)))" : "signature: INVALID for key \(publicKey.keyID.prefix(16))")
        for subject in result.subjects {
            print(TerminalText.sanitize("  \(subject.problem == nil ? "ok     " : "CHANGED") \(subject.name)" + (subject.problem.map { ": \($0)" } ?? "")))
        }
        print("verdict attested: \(result.verdict ?? "none")")
        if !result.passed { throw ExitCode(1) }
    }
}
