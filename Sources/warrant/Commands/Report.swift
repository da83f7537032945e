import ArgumentParser
import WarrantKit

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the Markdown report of a case: verdict, diagrams, ledgers, evidence, plots.",
        discussion: """
        The report renders on GitHub: the argument as Mermaid diagrams in GSN style, a status \
        table per leg, the assumption and defeater ledgers, the evidence table with every metric \
        against its requirement, completeness figures, and SVG plots written beside the report. \
        The same inputs give the same bytes.
        """
    )

    @Argument(help: "The case file.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Option(name: [.short, .long], help: "Where to write the report (default: standard output).")
    var output: String?

    @Option(help: "Gate level for the verdict. (default: the case's policy.level, else draft)")
    var level: GateLevel?

    @Option(help: "The evidence store: a file or a postgresql:// URL. (default: WARRANT_STORE, else the case's policy.store, else .warrant/evidence.sqlite beside the case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func run() throws {
        let request = CheckRequest(files: [file], level: level, store: store, allowRead: read.allowRead)
        guard let analysis = try orExit({ try CaseChecker.analyse(request) }).first else { return }
        let report = ReportFiles(analysis, reportPath: output)
        guard let output else {
            print(report.markdown, terminator: "")
            return
        }
        try orExit { try report.write(to: output, inputs: RunInputs.of([analysis], store: store)) }
        printError("wrote \(output)" + (report.plots.isEmpty ? "" : " and \(report.plots.map(\.path).joined(separator: ", "))")
                   + ": \(analysis.passed ? "pass" : "fail") at \(analysis.report.level.rawValue), root \(analysis.report.rootStatus?.rawValue ?? "undetermined")")
    }
}
