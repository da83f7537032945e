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
    }
}
