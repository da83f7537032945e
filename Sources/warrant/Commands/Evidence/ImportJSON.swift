import ArgumentParser
import WarrantKit

struct ImportJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Import records from a JSON file (one record, or a list of them); prints their ids.",
        discussion: """
        The records are *asserted* (typed in), whatever they say of themselves: Warrant cannot \
        derive them again. At release they support a claim only where the evidence node says \
        why it accepts them (`accept_asserted: "reason"`).
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The JSON file.", completion: .file(extensions: ["json"]))
    var file: String

    @OptionGroup var signing: SigningOptions

    func run() throws {
        let key = try signing.key()
        let records = try orExit { try AssertedRecord.records(fromJSONFile: file).map { try AssertedRecord.asserted($0, from: file) } }
        let store = try storeOptions.open(create: true)
        for record in records { try signing.appendSignature(of: append(record, to: store), to: store, key: key) }
    }
}
