import ArgumentParser
import Foundation
import WarrantKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a safety case and report every finding with its file:line:col.",
        discussion: """
        Reads each FILE (a Warrant case with the files it uses, or gsn2x YAML; gsn2x files \
        given together form one argument, as in gsn2x), checks the argument's structure, \
        rolls node statuses up to the root, and prints findings like a compiler:

          case.yaml:12:19: error[S03]: claim 'G1' refers in `supported_by` to 'S9', ...

        The gate level decides which findings are errors: draft (structure), review (plus \
        evidence linkage), release (everything: a supported root, no placeholders left). \
        Without --level, a case's own `policy.level` is used, else draft.

        Exit codes: 0 passed, 1 findings at or above the level (or warnings with --strict), \
        2 a file could not be read or the arguments are wrong.

        Run `warrant rules` for the rule list and `warrant explain RULE` for one rule.
        """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "Case files to check.", completion: .file(extensions: ["yaml", "yml"]))
    var files: [String]

    @Option(help: "Gate level: draft, review or release. (default: the case's policy.level, else draft)")
    var level: GateLevel?

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Input format: auto, warrant or gsn2x.")
    var inputFormat: InputFormat = .auto

    @Option(help: "The evidence store: a file or a postgresql:// URL. (default: WARRANT_STORE, else each case's policy.store, else .warrant/evidence.sqlite beside each case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    @Flag(help: "Do not colour the output (also: the NO_COLOR environment variable).")
    var noColor = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one case file to check.") }
    }

    func run() throws {
        let request = CheckRequest(files: files, inputFormat: inputFormat, level: level, strict: strict,
                                   store: store, allowRead: read.allowRead)
        let analyses = try orExit { try CaseChecker.analyse(request) }
        switch format {
        case .json:
            print(GateOutput.checkOutput(analyses, level: level, strict: strict).encoded())
        case .text:
            let color = !noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for analysis in analyses {
                var renderer = DiagnosticRenderer(sources: analysis.loaded.sources, color: color)
                for finding in analysis.report.findings {
                    print(renderer.render(finding))
                }
                if let line = analysis.storeLine { print(TerminalText.sanitize(line)) }
                print(TerminalText.sanitize("\(analysis.report.inputs.joined(separator: " ")): \(analysis.report.summaryLine)"))
            }
        }
        if analyses.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
