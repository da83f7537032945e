import ArgumentParser
import Foundation
import WarrantCore

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the checker's rules with their ids and severities.",
        discussion: "Severities are given for the draft, review and release levels (E error, W warning, I note)."
    )

    @Option(help: "Output format: text or json.")
    var format: Check.OutputFormat = .text

    func run() throws {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(WarrantCore.Rules.all)
            print(String(decoding: data, as: UTF8.self))
        case .text:
            let width = WarrantCore.Rules.all.map(\.name.count).max() ?? 20
            for rule in WarrantCore.Rules.all {
                let sev = GateLevel.allCases.map { rule.severity(at: $0).letter }.joined()
                let name = rule.name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(rule.id)  \(sev)  \(name)  \(rule.summary)")
            }
        }
    }
}

extension Severity {
    /// E, W or I.
    var letter: String {
        switch self {
        case .error: return "E"
        case .warning: return "W"
        case .info: return "I"
        }
    }
}
