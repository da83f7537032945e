import ArgumentParser
import WarrantKit

struct EvidenceShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one record in full.")

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The record's id, or a unique prefix of at least 8 characters.")
    var id: String

    func run() throws {
        let store = try storeOptions.open(create: false)
        guard let record = try orExit({ try store.record(id: id) }) else {
            printError("error: no record '\(id)' in \(store.path) (ids are hex; give at least 8 characters of one)")
            throw ExitCode(2)
        }
        print(record.json().pretty)
        // Who signed it, on standard error so that standard output stays the record's JSON.
        let all = try orExit { try store.verifiedRecords().records }
        for signature in all where signature.signature?.signs == record.id {
            let verdict: String
            switch signature.check(signatureOf: record) {
            case .valid(let key): verdict = "valid, key \(key) (id \(key.keyID.prefix(16)))"
            case .invalid(let key, let reason): verdict = "INVALID (\(reason)), key \(key)"
            case .notASignature: continue
            }
            printError(TerminalText.sanitize("signed by \(signature.signature?.signer ?? "an unnamed signer") in record \(signature.id.prefix(12)): \(verdict)"))
        }
    }
}
