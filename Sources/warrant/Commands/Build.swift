import ArgumentParser
import Foundation
import WarrantKit

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every evaluation the case declares that has no fresh record, then check and write the report.",
        discussion: """
        Like a build system: each evidence node's `eval:` recipe is keyed by method, \
        configuration, model weights hash and method version; only recipes without a fresh \
        record run, in a stable order, and each record is stored as soon as its evaluation \
        finishes. Then the case is checked at its policy level and the report written. A second \
        build with nothing changed runs nothing; changing the model re-runs what depends on it.

        Exit codes: 0 the case passes, 1 it does not, 2 an evaluation (named) or a file failed; \
        records of the evaluations that completed are kept.
        """
    )

    @Argument(help: "The case file.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Flag(help: "List what would run and why, and run nothing.")
    var dryRun = false

    @Option(name: [.short, .long], help: "Where to write the report. (default: report.md beside the case)")
    var output: String?

    @Option(help: "Gate level for the check. (default: the case's policy.level, else draft)")
    var level: GateLevel?

    @Option(help: "The evidence store: a file or a postgresql:// URL. (default: WARRANT_STORE, else the case's policy.store, else .warrant/evidence.sqlite beside the case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func run() throws {
        useFastestBLASKernels()
        let builder = CaseBuilder(file: file, level: level, store: store, reportPath: output, allowRead: read.allowRead)
        let prepared: CaseBuilder.Prepared
        do {
            prepared = try builder.prepare()
        } catch CaseBuilder.Failure.formatErrors(let loaded, let findings) {
            var renderer = DiagnosticRenderer(sources: loaded.sources)
            for finding in findings { print(renderer.render(finding)) }
            print("\(file): build stopped before running anything: \(findings.count) format error\(findings.count == 1 ? "" : "s") in the case")
            throw ExitCode(1)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let plan = prepared.plan
        if plan.items.isEmpty { printError("no evaluations declared (no evidence node has an `eval:` recipe)") }
        for item in plan.items {
            printError("  \(item.node.padding(toLength: 18, withPad: " ", startingAt: 0)) \(item.method.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.reason)")
        }
        if dryRun {
            print("\(prepared.toRun.count) of \(plan.items.count) evaluations would run")
            return
        }
        var progress: Progress?
        let outcome: CaseBuilder.Outcome
        do {
            outcome = try builder.run(prepared) { event in
                switch event {
                case .started(_, let label, let total): progress = Progress(total: total, label: label)
                case .step(let done, let detail): progress?.update(done, detail)
                case .ended: progress?.finish(); progress = nil
                case .message(let node, let text): printError("  \(node): \(text)")
                }
            }
        } catch CaseBuilder.Failure.evaluationFailed(let item, let error, let storePath) {
            printError("error: evaluation of '\(item.node)' (\(item.location)) failed: \(error)")
            printError("the records of the evaluations that completed are kept in \(storePath)")
            throw ExitCode(2)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        printError(outcome.summaryLine)
        print("\(file): \(outcome.analysis.report.summaryLine); report: \(outcome.reportPath)")
        if !outcome.analysis.passed { throw ExitCode(1) }
    }
}
