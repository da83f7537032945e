import ArgumentParser
import WarrantEvidence
import WarrantKit

struct ImportChain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Replay a chain that `warrant evidence export` wrote into this store, keeping every id.",
        discussion: """
        Every line is checked before anything is stored: each record must hash to its id \
        and link to the one before it. The target must be empty, or hold the start of the \
        same chain (an import that was cut short): those records are skipped, the rest \
        appended. A store holding other records is refused (exit 1), as the chains would \
        fork. Afterwards the target verifies and has the file's head.

        Records keep what they say of themselves: the checker judges them as it would in \
        the store they came from (re-reading logs, re-checking signatures).
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The JSON Lines file.", completion: .file(extensions: ["jsonl"]))
    var file: String

    func run() throws {
        let store = try storeOptions.open(create: true)
        let summary: ChainTransfer.Summary
        do {
            summary = try ChainTransfer.importChain(fromFileAt: file, into: store) { done in
                if done % 1000 == 0 { printError("imported \(done) records…") }
            }
        } catch let failure as ChainTransfer.Failure {
            printError("error: \(failure)")
            if case .unreadable = failure { throw ExitCode(2) }
            throw ExitCode(1)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print("\(store.path): imported \(summary.imported) record\(summary.imported == 1 ? "" : "s")"
              + (summary.alreadyPresent > 0 ? ", \(summary.alreadyPresent) already there" : "")
              + (summary.head.map { "; head \($0)" } ?? "; the chain is empty"))
    }
}
