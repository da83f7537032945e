import Foundation
import WarrantCore
import WarrantEvals
import WarrantEvidence
import WarrantFiles
import WarrantReport

/// `warrant build` as a library: runs every evaluation a case declares that has no fresh
/// record, stores each record as it completes, then checks the case and writes its report.
///
/// Like a build system, each evidence node's `eval:` recipe is keyed by method,
/// configuration, model weights hash and method version; a second build with nothing
/// changed runs nothing.
///
///     let builder = CaseBuilder(file: "case.yaml")
///     let prepared = try builder.prepare()           // load, refuse bad outputs, plan
///     let outcome = try builder.run(prepared) { event in print(event) }
public struct CaseBuilder {
    public var file: String
    /// Gate level of the final check; nil is the case's `policy.level`, else draft.
    public var level: GateLevel?
    /// The evidence store; nil is `WARRANT_STORE`, else the case's `policy.store`, else
    /// `.warrant/evidence.sqlite` beside the case.
    public var store: String?
    /// Where the report goes; nil is `report.md` beside the case.
    public var reportPath: String?
    public var allowRead: [String]

    public init(file: String, level: GateLevel? = nil, store: String? = nil, reportPath: String? = nil, allowRead: [String] = []) {
        self.file = file
        self.level = level
        self.store = store
        self.reportPath = reportPath
        self.allowRead = allowRead
    }

    /// The store a loaded case's build uses (see ``StoreLocation``).
    public func storePath(for loaded: LoadResult) -> String {
        StoreLocation.resolve(explicit: store, loaded: loaded) ?? StoreLocation.besideCase(file)
    }
    public var reportTarget: String {
        reportPath ?? ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("report.md")
    }

    /// A loaded, planned build, before anything runs.
    public struct Prepared {
        public var loaded: LoadResult
        public var plan: BuildPlan
        /// The store the build reads and appends to.
        public var storePath: String
        /// The store as it was when planned (nil: none yet).
        public var existing: EvidenceStore?
        /// The items that will run.
        public var toRun: [BuildPlan.Item] { plan.items.filter { $0.reason.needsRun } }
    }

    /// Why a build stopped.
    public enum Failure: Error, CustomStringConvertible {
        /// The case does not load cleanly (a recipe value out of range, a misspelt key), so
        /// nothing runs: the evaluation would not be the one the author meant.
        case formatErrors(LoadResult, [Finding])
        /// The report would replace one of the build's inputs.
        case outputIsInput(path: String, role: String)
        /// A recipe that this Warrant cannot run.
        case unsupported(BuildPlan.Item)
        /// An evaluation failed; the records of those that completed are kept.
        case evaluationFailed(BuildPlan.Item, underlying: Error, store: String)
        /// The file holds no case.
        case noCase(String)

        public var description: String {
            switch self {
            case .formatErrors(let loaded, let findings):
                return "\(loaded.inputs.first ?? "the case"): build stopped before running anything: \(findings.count) format error\(findings.count == 1 ? "" : "s") in the case"
            case .outputIsInput(let path, let role):
                return "refusing to write the report to \(path): it is \(role) of this build; choose another path with -o"
            case .unsupported(let item):
                return "evidence '\(item.node)' (\(item.location)): \(item.reason)"
            case .evaluationFailed(let item, let error, _):
                return "evaluation of '\(item.node)' (\(item.location)) failed: \(error)"
            case .noCase(let file):
                return "\(file) holds no case"
            }
        }
    }

    /// What a build tells its caller as it goes.
    public enum Event {
        /// An evaluation with a known number of steps began (`label` names it).
        case started(node: String, label: String, total: Int)
        /// One more step of the evaluation that started last.
        case step(done: Int, detail: String)
        /// The evaluation that started last ended.
        case ended
        /// A line of news about one item.
        case message(node: String, text: String)
    }

    /// The outcome of a build that ran to the end.
    public struct Outcome {
        /// Each planned item, whether it ran, and how long it took.
        public var items: [(node: String, ran: Bool, seconds: Double)]
        /// Items that Warrant imports but cannot rebuild.
        public var external: Int
        public var analysis: CaseAnalysis
        public var reportPath: String
        public var plotPaths: [String]

        /// `built: 2 ran, 1 reused (E1 3.2 s, E2 0.4 s)`.
        public var summaryLine: String {
            let ran = items.filter(\.ran)
            return "built: \(ran.count) ran, \(items.count - ran.count - external) reused"
                + (external > 0 ? ", \(external) not rebuilt" : "")
                + (ran.isEmpty ? "" : " (" + ran.map { String(format: "%@ %.1f s", $0.node, $0.seconds) }.joined(separator: ", ") + ")")
        }
    }

    /// Loads the case, refuses a report path that is one of its inputs, and plans what to
    /// run. Throws ``Failure/formatErrors(_:_:)`` and ``Failure/outputIsInput(path:role:)``,
    /// and the loader's and the store's errors.
    public func prepare() throws -> Prepared {
        guard let loaded = try CaseChecker.loader(allowRead: allowRead).load(paths: [file], format: .warrant).first else {
            throw Failure.noCase(file)
        }
        let formatErrors = loaded.findings.filter { $0.severity == .error && $0.rule.hasPrefix("F") }
        if !formatErrors.isEmpty { throw Failure.formatErrors(loaded, formatErrors) }
        // Refuse an output that would replace an input before any evaluation runs.
        let storePath = storePath(for: loaded)
        if let role = RunInputs.of([loaded], store: storePath).role(of: reportTarget) {
            throw Failure.outputIsInput(path: reportTarget, role: role)
        }
        let existing = try CaseChecker.openStore(storePath)
        return Prepared(loaded: loaded, plan: BuildPlan.make(loaded, store: existing), storePath: storePath, existing: existing)
    }

    /// Runs what is missing or stale, storing each record as it completes; then checks
    /// the case and writes the report and its plots.
    public func run(_ prepared: Prepared, events: (Event) -> Void = { _ in }) throws -> Outcome {
        let plan = prepared.plan
        let storePath = prepared.storePath
        if let bad = plan.items.first(where: { if case .unsupported = $0.reason { return true } else { return false } }) {
            throw Failure.unsupported(bad)
        }
        var items: [(node: String, ran: Bool, seconds: Double)] = []
        // The store as planned is opened read-only; appending needs it writable.
        let storeHandle = prepared.toRun.isEmpty ? prepared.existing : try EvidenceStore(path: storePath, create: true)
        for item in plan.items {
            guard item.reason.needsRun else {
                items.append((item.node, false, 0))
                continue
            }
            let start = Date()
            do {
                let record = try execute(item, plan: plan, artifactsDirectory: artifacts(for: item, storePath: storePath), events: events)
                // Kept by hash before the record is stored, so a record never names an artifact the folder lacks.
                _ = try artifactStore(storePath: storePath).putArtifacts(of: record)
                try storeHandle?.append(record)
            } catch {
                throw Failure.evaluationFailed(item, underlying: error, store: storePath)
            }
            items.append((item.node, true, Date().timeIntervalSince(start)))
        }
        let external = plan.items.filter { if case .external = $0.reason { return true } else { return false } }.count

        let request = CheckRequest(files: [file], inputFormat: .warrant, level: level, store: storePath, allowRead: allowRead)
        guard let analysis = try CaseChecker.analyse(request).first else { throw Failure.noCase(file) }
        let report = ReportFiles(analysis, reportPath: reportTarget)
        try report.write(to: reportTarget, inputs: RunInputs.of([analysis], store: storePath))
        return Outcome(items: items, external: external, analysis: analysis, reportPath: reportTarget,
                       plotPaths: report.plots.map(\.path))
    }

    /// Where an evaluation's files go: `artifacts/NODE` in the store's `.warrant` folder, or
    /// for a store on a server, in the `.warrant` folder beside the case.
    func artifacts(for item: BuildPlan.Item, storePath: String) -> String {
        (warrantFolder(storePath: storePath) as NSString).appendingPathComponent("artifacts/\(item.node)")
    }

    /// The `.warrant` folder of the store's file, or for a store on a server, beside the case.
    func warrantFolder(storePath: String) -> String {
        ((EvidenceStore.isPostgreSQL(storePath) ? StoreLocation.besideCase(file) : storePath) as NSString).deletingLastPathComponent
    }

    /// The folder that keeps artifacts by SHA-256: `WARRANT_ARTIFACTS` (a folder a team
    /// shares), else the `artifacts` folder the evaluations write into.
    public func artifactStore(storePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> ArtifactStore {
        if let shared = environment[ArtifactStore.environmentVariable], !shared.isEmpty { return ArtifactStore(root: shared) }
        return ArtifactStore(root: (warrantFolder(storePath: storePath) as NSString).appendingPathComponent("artifacts"))
    }

    /// Runs one planned item (an evaluation, or the import of an Inspect log) and returns
    /// its record.
    func execute(_ item: BuildPlan.Item, plan: BuildPlan, artifactsDirectory: String, events: (Event) -> Void) throws -> EvidenceRecord {
        let producer = EvidenceRecord.Producer.current()
        if ResultFileImporter.Format(rawValue: item.method) != nil {
            var options = InspectImporter.Options()
            options.kind = item.recipe["kind"]?.string ?? "inspect"
            options.modelFile = item.recipe["model_file"]?.string
            let log = item.recipe["log"]?.string ?? ""
            let format = ResultFileImporter.Format(rawValue: item.method) ?? .inspect
            events(.message(node: item.node, text: "importing the \(format.fileName) \(log) as \(options.kind)"))
            return try ResultFileImporter.record(fromFileAt: log, format: format, options: options, producer: producer)
        }
        guard let config = plan.modelConfigPath, let method = Evaluations.named(item.method) else { throw Failure.unsupported(item) }
        return try withoutActuallyEscaping(events) { events in
            let context = EvaluationContext(recipe: item.recipe, modelConfigPath: config, artifactsDirectory: artifactsDirectory,
                                            producer: producer, label: item.node, dataPath: item.dataPath) { event in
                switch event {
                case .started(let label, let total): events(.started(node: item.node, label: label, total: total))
                case .step(let done, let detail): events(.step(done: done, detail: detail))
                case .ended: events(.ended)
                case .message(let text): events(.message(node: item.node, text: text))
                }
            }
            return try method.run(context)
        }
    }
}
