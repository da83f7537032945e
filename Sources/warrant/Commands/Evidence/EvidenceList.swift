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
            for r in records {
                let metrics = r.metrics.keys.sorted().prefix(4).map { "\($0)=\(r.metrics[$0]!.value.isNaN ? "NaN" : JSONValue.format(r.metrics[$0]!.value))" }
                    .joined(separator: " ")
                print(TerminalText.sanitize("\(r.id.prefix(12))  \(r.producer.time)  \(r.kind.padding(toLength: 22, withPad: " ", startingAt: 0))  \(r.subject?.name ?? "-")  \(metrics)"))
            }
            if records.isEmpty { print("no records") }
        }
    }
}
