import ArgumentParser
import WarrantJSON
import WarrantKit

struct EvidenceList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored records, oldest first.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only records of this kind.")
    var kind: String?

    @Option(help: "Only records of this method.")
    var method: String?

    @Option(help: "Output format: text or json.")
    var format: Check.OutputFormat = .text

    func run() throws {
        let store = try storeOptions.open(create: false)
        let records = try orExit { try store.records(kind: kind, method: method) }
        switch format {
        case .json:
            print(JSONValue.array(records.map { $0.json() }).pretty)
        case .text:
            // Kinds in full, in one column as wide as the longest.
            let kindWidth = records.map(\.kind.count).max() ?? 0
            for r in records {
                let metrics = r.metrics.keys.sorted().prefix(4).map { "\($0)=\(DisplayNumber.format(r.metrics[$0]!.value))" }
                    .joined(separator: " ")
                print(TerminalText.sanitize("\(r.id.prefix(12))  \(r.producer.time)  \(r.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0))  \(r.subject?.name ?? "-")  \(metrics)"))
            }
            if records.isEmpty { print("no records") }
        }
    }
}
