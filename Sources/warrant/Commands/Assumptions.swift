import ArgumentParser
import Foundation
import WarrantKit

struct Assumptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The assumption ledger: every assumption, its gate, status and what discharges it.",
        discussion: """
        Statuses: open (nothing discharges it yet, or its waiver expired), discharged (what its \
        `discharged_by` names is supported), waived (a valid waiver accepts it as residual risk), \
        invalidated (what discharges it is defeated, or a sustained defeater challenges it).
        """
    )

    @Argument(help: "The case file.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Option(help: "Output format: text or json.")
    var format: Check.OutputFormat = .text

    @Option(help: "The evidence store: a file or a postgresql:// URL. (default: WARRANT_STORE, else the case's policy.store, else .warrant/evidence.sqlite beside the case)")
    var store: String?

    func run() throws {
        let request = CheckRequest(files: [file], level: .release, store: store)
        guard let report = try orExit({ try CaseChecker.analyse(request) }).first?.report else { return }
        let ledger = report.assumptions
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(ledger.map(LedgerLine.init))
            print(String(decoding: data, as: UTF8.self))
        case .text:
            if ledger.isEmpty { print("no assumptions"); return }
            let width = max(10, ledger.map(\.id.count).max() ?? 10)
            print("ID".padding(toLength: width, withPad: " ", startingAt: 0) + "  STATUS       GATE      RESEARCH      DISCHARGED BY / WAIVER")
            for a in ledger {
                var by = a.dischargedBy.isEmpty ? "-" : a.dischargedBy.joined(separator: ", ")
                if let w = a.waiver {
                    by = "waived by \(w.by ?? "?") until \(w.until ?? "?")" + (a.waiverExpired ? " (expired)" : "")
                }
                let line = a.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + a.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + "  "
                    + a.gate.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + (a.research?.rawValue ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0) + "  " + by
                print(line)
                print(String(repeating: " ", count: width + 2) + "\(a.location)" + (a.text.map { "  \($0)" } ?? ""))
            }
            let counts = AssumptionStatus.allCases.map { s in "\(ledger.filter { $0.status == s }.count) \(s.rawValue)" }
            let blockingOpen = ledger.filter { $0.status == .open && $0.gate == .blocking && $0.inArgument }.count
            print("\(ledger.count) assumptions: \(counts.joined(separator: ", ")); \(blockingOpen) open and blocking")
        }
    }
}

/// The JSON form of a ledger line.
struct LedgerLine: Encodable {
    var id: String
    var text: String?
    var file: String
    var line: Int
    var column: Int
    var gate: String
    var research: String?
    var provenance: String?
    var catalog: String?
    var status: String
    var discharged_by: [String]
    var waiver: [String: String]?
    var waiver_expired: Bool
    var in_argument: Bool

    init(_ a: AssumptionEntry) {
        id = a.id
        text = a.text
        file = a.location.file
        line = a.location.line
        column = a.location.column
        gate = a.gate.rawValue
        research = a.research?.rawValue
        provenance = a.provenance
        catalog = a.catalog
        status = a.status.rawValue
        discharged_by = a.dischargedBy
        waiver = a.waiver.map { w in ["by": w.by ?? "", "reason": w.reason ?? "", "until": w.until ?? ""] }
        waiver_expired = a.waiverExpired
        in_argument = a.inArgument
    }
}
