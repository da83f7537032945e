import ArgumentParser
import WarrantJSON
import WarrantKit

struct EvidenceHead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the chain's record count and head id, to pin in a case.",
        discussion: """
        The chain is verified first (exit 1 if it does not verify). Pin what this prints in \
        the case, so that a store cut short, rewritten or forked later is a tampered finding:

          case:
            policy:
              evidence_head: { records: 12, id: "3f2a..." }

        Records appended after the pinned head still count; pin the new head when the case \
        is judged again. --format yaml prints just the `evidence_head` line.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, yaml, json }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format: text, yaml or json.")
    var format: Format = .text

    func run() throws {
        let store = try storeOptions.open(create: false)
        let result = try orExit { try store.verify() }
        if let problem = result.firstProblem {
            printError("error: \(store.path): record #\(problem.sequence) \(problem.id) does not verify: \(problem.problem); a head is pinned only on a chain that verifies")
            throw ExitCode(1)
        }
        guard let head = result.head else {
            printError("error: \(store.path) holds no records; there is no head to pin")
            throw ExitCode(2)
        }
        switch format {
        case .text: print("\(result.recordCount) records, head \(head)")
        case .yaml: print("evidence_head: { records: \(result.recordCount), id: \"\(head)\" }")
        case .json: print(JSONValue.object(["records": .number(Double(result.recordCount)), "id": .string(head)]).canonical)
        }
    }
}
