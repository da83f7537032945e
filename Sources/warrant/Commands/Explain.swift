import ArgumentParser
import WarrantCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain one checker rule: what it requires, why, and how to fix a finding."
    )

    @Argument(help: "A rule id (S07) or name (support-cycle).")
    var rule: String

    func run() throws {
        guard let found = WarrantCore.Rules.find(rule) else {
            let names = WarrantCore.Rules.all.flatMap { [$0.id, $0.name] }
            let suggestion = Suggestions.nearest(to: rule, in: names)
            printError("error: no rule '\(rule)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                       + " (`warrant rules` lists them)")
            throw ExitCode(2)
        }
        let levels = GateLevel.allCases.map { "\($0.rawValue): \(found.severity(at: $0).rawValue)" }.joined(separator: ", ")
        print("\(found.id) \(found.name) (\(found.family.rawValue))")
        print("")
        print(found.summary)
        print("")
        print(found.explanation)
        print("")
        print("Severity: \(levels).")
        if !found.sources.isEmpty {
            print("Sources: \(found.sources.joined(separator: "; ")).")
        }
    }
}
