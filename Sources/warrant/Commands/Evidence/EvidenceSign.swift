import ArgumentParser
import WarrantKit

struct EvidenceSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a stored record with an Ed25519 key; prints the signature record's id.",
        discussion: """
        Records are immutable, so the signature is a record of its own, appended to the chain, \
        that names the record it signs (schemas/evidence-record.schema.json, `signature`). At \
        release an asserted record counts when a signer the case lists under `policy.signers` \
        has signed it.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The record's id, or a unique prefix of at least 8 characters.")
    var id: String

    @OptionGroup var signing: SigningOptions

    func validate() throws {
        if signing.sign == nil { throw ValidationError("Give the private key with --key.") }
    }

    func run() throws {
        let store = try storeOptions.openExistingForWriting()
        guard let record = try orExit({ try store.record(id: id) }) else {
            printError("error: no record '\(id)' in \(store.path) (ids are hex; give at least 8 characters of one)")
            throw ExitCode(2)
        }
        try signing.appendSignature(of: record, to: store)
    }
}

/// `--sign KEY` (`--key` for `evidence sign`) and `--signer NAME`: sign what is added.
struct SigningOptions: ParsableArguments {
    @Option(name: [.customLong("sign"), .customLong("key")], help: ArgumentHelp("Sign with this private key (a .key file from `warrant key generate`).", valueName: "key"))
    var sign: String?

    @Option(help: "The name to record with the signature (trust comes from the case's `policy.signers`).")
    var signer: String?

    /// Loads the key now, so that a bad key stops the command before anything is stored.
    func key() throws -> SigningKey? {
        guard let sign else { return nil }
        return try orExit { try KeyFiles.signingKey(at: sign) }
    }

    /// Appends a signature of `record` and prints its id.
    func appendSignature(of record: EvidenceRecord, to store: EvidenceStore, key given: SigningKey? = nil) throws {
        guard let key = try given ?? key() else { return }
        let signature = try orExit { try record.signatureRecord(key: key, signer: signer, producer: .current()) }
        try append(signature, to: store)
    }
}
