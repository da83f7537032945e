import ArgumentParser
import WarrantKit

struct EvidenceVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every record's hash and the chain; exit 1 naming the first bad record."
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open(create: false)
        let result = try orExit { try store.verify() }
        if let problem = result.firstProblem {
            print("\(store.path): record #\(problem.sequence) \(problem.id) does not verify: \(problem.problem)")
            throw ExitCode(1)
        }
        print("\(store.path): \(result.recordCount) record\(result.recordCount == 1 ? "" : "s") verify; the chain is intact")
    }
}
