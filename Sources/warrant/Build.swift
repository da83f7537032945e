import ArgumentParser
import Foundation
import WarrantCore
import WarrantEvals
import WarrantEvidence
import WarrantReport

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

    @Option(help: "The evidence store. (default: .warrant/evidence.sqlite beside the case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func run() throws {
        guard let loaded = try orExit({ try CaseLoader(recipeSchemas: BuiltInRecipes.schemas, allowedRoots: read.allowRead).load(paths: [file], format: .warrant).first }) else { return }
        // A case that does not load cleanly (a recipe value out of range, a misspelt key) runs
        // nothing: the evaluation would not be the one the author meant.
        let formatErrors = loaded.findings.filter { $0.severity == .error && $0.rule.hasPrefix("F") }
        if !formatErrors.isEmpty {
            var renderer = DiagnosticRenderer(sources: loaded.sources)
            for finding in formatErrors { print(renderer.render(finding)) }
            print("\(file): build stopped before running anything: \(formatErrors.count) format error\(formatErrors.count == 1 ? "" : "s") in the case")
            throw ExitCode(1)
        }
        let storePath = store ?? StoreLocation.besideCase(file)
        // Refuse an output that would replace an input before any evaluation runs.
        let reportTarget = output ?? ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("report.md")
        if let role = runInputs([loaded], store: storePath).role(of: reportTarget) {
            printError("error: refusing to write the report to \(reportTarget): it is \(role) of this build; choose another path with -o")
            throw ExitCode(2)
        }
        let existing = try CheckSession.openStore(storePath)
        let plan = BuildPlan.make(loaded, store: existing)
        if plan.items.isEmpty { printError("no evaluations declared (no evidence node has an `eval:` recipe)") }
        for item in plan.items {
            printError("  \(item.node.padding(toLength: 18, withPad: " ", startingAt: 0)) \(item.method.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.reason)")
        }
        if dryRun {
            let toRun = plan.items.filter { $0.reason.needsRun }.count
            print("\(toRun) of \(plan.items.count) evaluations would run")
            return
        }
        if let bad = plan.items.first(where: { if case .unsupported = $0.reason { return true } else { return false } }) {
            printError("error: evidence '\(bad.node)' (\(bad.location)): \(bad.reason)")
            throw ExitCode(2)
        }
        // Run what is missing or stale, storing each record as it completes.
        var summary: [(node: String, ran: Bool, seconds: Double)] = []
        let todo = plan.items.filter { $0.reason.needsRun }
        let storeHandle = todo.isEmpty ? existing : try StoreOptions.open(path: storePath)
        for item in plan.items {
            guard item.reason.needsRun else {
                summary.append((item.node, false, 0))
                continue
            }
            let start = Date()
            do {
                try storeHandle!.append(execute(item, plan: plan, storePath: storePath))
            } catch {
                printError("error: evaluation of '\(item.node)' (\(item.location)) failed: \(error)")
                printError("the records of the evaluations that completed are kept in \(storePath)")
                throw ExitCode(2)
            }
            summary.append((item.node, true, Date().timeIntervalSince(start)))
        }
        let ran = summary.filter(\.ran)
        let external = plan.items.filter { if case .external = $0.reason { return true } else { return false } }.count
        printError("built: \(ran.count) ran, \(summary.count - ran.count - external) reused"
                   + (external > 0 ? ", \(external) not rebuilt" : "")
                   + (ran.isEmpty ? "" : " (" + ran.map { String(format: "%@ %.1f s", $0.node, $0.seconds) }.joined(separator: ", ") + ")"))

        // Check and report.
        guard let analysis = try CheckSession.analyse(files: [file], inputFormat: .warrant, level: level, strict: false, store: storePath, allowRead: read.allowRead).first else { return }
        let reportPath = output ?? ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("report.md")
        var report = MarkdownReport(analysis: analysis)
        let plots = MarkdownReport.plots(for: analysis, reportPath: reportPath)
        report.plots = plots.map { (($0.path as NSString).lastPathComponent, $0.title) }
        let inputs = runInputs([analysis], store: storePath)
        try writeOutput(report.render(), to: reportPath, inputs: inputs)
        for plot in plots { try writeOutput(plot.svg, to: plot.path, inputs: inputs) }
        print("\(file): \(analysis.report.summaryLine); report: \(reportPath)")
        if !analysis.passed { throw ExitCode(1) }
    }

    /// Where an evaluation's files go: .warrant/artifacts/NODE beside the store.
    func artifacts(for item: BuildPlan.Item, storePath: String) -> String {
        ((storePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("artifacts/\(item.node)")
    }

    /// Runs one planned item (an evaluation, or the import of an Inspect log) with progress,
    /// and returns its record.
    func execute(_ item: BuildPlan.Item, plan: BuildPlan, storePath: String) throws -> EvidenceRecord {
        switch item.method {
        case "inspect":
            var options = InspectImporter.Options()
            options.kind = item.recipe["kind"]?.string ?? "inspect"
            options.modelFile = item.recipe["model_file"]?.string
            let log = item.recipe["log"]?.string ?? ""
            printError("  \(item.node): importing the Inspect log \(log) as \(options.kind)")
            return try InspectImporter.record(fromLogAt: log, options: options, producer: currentProducer())
        case "lib":
            let run = try BuildPlan.libRun(item.recipe, modelConfigPath: plan.modelConfigPath!)
            return try run.run(producer: currentProducer(), outputDirectory: artifacts(for: item, storePath: storePath)) {
                printError("  \(item.node): \($0)")
            }.record
        case "polytope":
            let run = try BuildPlan.polytopeRun(item.recipe, modelConfigPath: plan.modelConfigPath!)
            let progress = Progress(total: 2 * run.pairs, label: "\(item.node) (polytope)")
            defer { progress.finish() }
            return try run.run(producer: currentProducer()) { done, total in progress.update(done, "\(done)/\(total) paths") }.record
        default:
            let (layer, settings) = try BuildPlan.saeSettings(item.recipe)
            let run = SAERun(modelConfigPath: plan.modelConfigPath!, layer: layer, settings: settings)
            let progress = Progress(total: settings.steps, label: "\(item.node) (\(settings.loss.rawValue) SAE)")
            defer { progress.finish() }
            return try run.run(outputDirectory: artifacts(for: item, storePath: storePath), producer: currentProducer()) { step, terms in
                progress.update(step, String(format: "loss %.4f  L0 %.1f", terms.total, terms.l0))
            }.record
        }
    }
}
