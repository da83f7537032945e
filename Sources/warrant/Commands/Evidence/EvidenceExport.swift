import ArgumentParser
import WarrantEvidence
import WarrantFiles
import WarrantKit

struct EvidenceExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole chain as JSON Lines, to move it to another store.",
        discussion: """
        The chain is verified first; a store that does not verify is not exported (exit 1). \
        Each line is one record's canonical JSON, with its id, oldest first. \
        `warrant evidence import chain` replays the file into another store, SQLite or \
        PostgreSQL, keeping every id:

          warrant evidence export --store .warrant/evidence.sqlite -o chain.jsonl
          warrant evidence import chain chain.jsonl --store postgresql://ci@db.example/evidence
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: [.short, .customLong("output")], help: "Write the JSON Lines here instead of to standard output.")
    var output: String?

    func run() throws {
        let store = try storeOptions.open(create: false)
        let text: String
        do {
            text = try ChainTransfer.export(store)
        } catch let failure as ChainTransfer.Failure {
            printError("error: \(failure)")
            throw ExitCode(1)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        guard let output else { print(text, terminator: ""); return }
        var inputs = InputFiles()
        RunInputs.addStore(store.path, to: &inputs)
        try writeOutput(text, to: output, inputs: inputs)
        let count = text.isEmpty ? 0 : text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        printError("exported \(count) record\(count == 1 ? "" : "s") to \(output)")
    }
}
