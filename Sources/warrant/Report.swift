import ArgumentParser
import Foundation
import WarrantCore
import WarrantReport

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

    @Option(help: "The evidence store. (default: .warrant/evidence.sqlite beside the case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func run() throws {
        guard let analysis = try CheckSession.analyse(files: [file], level: level, strict: false, store: store, allowRead: read.allowRead).first else { return }
        var report = MarkdownReport(analysis: analysis)
        let plots = output.map { MarkdownReport.plots(for: analysis, reportPath: $0) } ?? []
        report.plots = plots.map { (($0.path as NSString).lastPathComponent, $0.title) }
        let text = report.render()
        guard let output else {
            print(text, terminator: "")
            return
        }
        let inputs = runInputs([analysis], store: store)
        try writeOutput(text, to: output, inputs: inputs)
        for plot in plots { try writeOutput(plot.svg, to: plot.path, inputs: inputs) }
        printError("wrote \(output)" + (plots.isEmpty ? "" : " and \(plots.map(\.path).joined(separator: ", "))")
                   + ": \(analysis.passed ? "pass" : "fail") at \(analysis.report.level.rawValue), root \(analysis.report.rootStatus?.rawValue ?? "undetermined")")
    }
}

struct Gate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gate a release in CI: check the case at a level and report in a CI format.",
        discussion: """
        Formats: text (like check), json (schemas/check-output.schema.json), sarif (SARIF 2.1.0 \
        for code scanning), junit (JUnit XML, one test case per rule), github (workflow \
        annotations; with $GITHUB_STEP_SUMMARY set, the Markdown report is appended to the job \
        summary). Exit codes: 0 pass, 1 findings at or above the level, 2 could not run.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif, junit, github
    }

    @Argument(help: "Case files.", completion: .file(extensions: ["yaml", "yml"]))
    var files: [String]

    @Option(help: "Gate level: draft, review or release. (default: the case's policy.level, else draft)")
    var level: GateLevel?

    @Option(help: "Output format: text, json, sarif, junit or github.")
    var format: Format = .text

    @Option(name: [.short, .long], help: "Write the output to a file instead of standard output.")
    var output: String?

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "The evidence store. (default: .warrant/evidence.sqlite beside each case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one case file to gate.") }
    }

    func run() throws {
        let analyses = try CheckSession.analyse(files: files, level: level, strict: strict, store: store, allowRead: read.allowRead)
        let failed = analyses.contains { !$0.passed }
        var text: String
        switch format {
        case .text:
            text = ""
            for a in analyses {
                var renderer = DiagnosticRenderer(sources: a.loaded.sources)
                for f in a.report.findings { text += renderer.render(f) + "\n" }
                if let line = a.storeLine { text += TerminalText.sanitize(line) + "\n" }
                text += TerminalText.sanitize("\(a.report.inputs.joined(separator: " ")): \(a.report.summaryLine)") + "\n"
            }
        case .json:
            text = CheckOutput(reports: analyses.map(\.report), level: level ?? analyses.first?.report.level ?? .draft,
                               strict: strict, exitCode: failed ? 1 : 0, evidence: analyses.map { $0.evidence?.store }).encoded() + "\n"
        case .sarif:
            text = SARIF.render(analyses)
        case .junit:
            text = JUnit.render(analyses)
        case .github:
            text = GitHubAnnotations.render(analyses)
            if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
                let markdown = analyses.map { MarkdownReport(analysis: $0).render() }.joined(separator: "\n")
                if let handle = FileHandle(forWritingAtPath: summary) {
                    handle.seekToEndOfFile()
                    handle.write(Data(markdown.utf8))
                    try? handle.close()
                } else {
                    try? Data(markdown.utf8).write(to: URL(fileURLWithPath: summary))
                }
            }
        }
        if let output {
            try writeOutput(text, to: output, inputs: runInputs(analyses, store: store))
        } else {
            print(text, terminator: "")
        }
        if failed { throw ExitCode(1) }
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two versions of a case: nodes, statuses, assumptions, evidence.",
        discussion: "For pull-request review: `warrant diff old/case.yaml case.yaml --format markdown`."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown
    }

    @Argument(help: "The old version of the case.")
    var old: String

    @Argument(help: "The new version of the case.")
    var new: String

    @Option(help: "Output format: text or markdown.")
    var format: Format = .text

    @Option(help: "Gate level at which statuses are computed. (default: each case's policy.level)")
    var level: GateLevel?

    @OptionGroup var read: ReadOptions

    func run() throws {
        guard let a = try CheckSession.analyse(files: [old], level: level, strict: false, store: nil, allowRead: read.allowRead).first,
              let b = try CheckSession.analyse(files: [new], level: level, strict: false, store: nil, allowRead: read.allowRead).first else { return }
        let diff = CaseDiff(old: a, new: b)
        print(format == .markdown ? diff.markdown() : diff.text(), terminator: "")
    }
}
