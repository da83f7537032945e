import ArgumentParser
import WarrantCore
import WarrantEvals
import WarrantEvidence
import WarrantReport

/// Loading, evidence assessment and checking, shared by `check`, `assumptions` and
/// later commands. Failures to read a file or a store exit 2.
enum CheckSession {
    static func run(files: [String], inputFormat: InputFormat = .auto, level: GateLevel?, strict: Bool,
                    store: String?, allowRead: [String] = []) throws -> [(loaded: LoadResult, report: CheckReport)] {
        try analyse(files: files, inputFormat: inputFormat, level: level, strict: strict, store: store, allowRead: allowRead)
            .map { ($0.loaded, $0.report) }
    }

    /// Loads, assesses evidence and checks each argument.
    static func analyse(files: [String], inputFormat: InputFormat = .auto, level: GateLevel?, strict: Bool,
                        store: String?, allowRead: [String] = []) throws -> [CaseAnalysis] {
        let loader = CaseLoader(recipeSchemas: BuiltInRecipes.schemas, allowedRoots: allowRead)
        let results = try orExit { try loader.load(paths: files, format: inputFormat) }
        var out: [CaseAnalysis] = []
        for var loaded in results {
            let effective = level ?? loaded.assuranceCase.header?.level ?? .draft
            var options = CheckOptions(level: effective, strict: strict)
            var assessment: EvidenceAssessment?
            if !loaded.assuranceCase.isGSN2X, let input = loaded.inputs.first {
                let evidenceStore = try openStore(store ?? StoreLocation.besideCase(input))
                let assessor = EvidenceAssessor(store: evidenceStore, level: effective, methodVersions: BuildPlan.methodVersions)
                let a = try orExit { try assessor.assess(loaded) }
                loaded.findings += a.findings
                options.evidenceStatus = a.statusFunction
                assessment = a
            }
            out.append(CaseAnalysis(loaded: loaded, report: Checker.check(loaded, options: options), evidence: assessment))
        }
        return out
    }

    /// The store if there is one; none yet is fine (every linked record is missing);
    /// a damaged or foreign file is an error of the tool.
    static func openStore(_ path: String) throws -> EvidenceStore? {
        do {
            return try EvidenceStore(path: path, create: false)
        } catch StoreError.missing {
            return nil
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }
}

extension CaseAnalysis {
    /// One line naming the store and the chain head the verdict was about.
    var storeLine: String? {
        guard let store = evidence?.store else { return nil }
        let head = store.head.map { "head \($0)" } ?? (store.records == 0 ? "empty" : "does not verify")
        return "evidence: \(store.store): \(store.records) record\(store.records == 1 ? "" : "s"), \(head)"
            + (store.pinned ? " (extends the pinned head" + (store.after_pin > 0
                ? "; the \(store.after_pin) record\(store.after_pin == 1 ? "" : "s") after it \(store.after_pin == 1 ? "is" : "are") not used until the head is pinned again)" : ")") : "")
    }
}

/// `--allow-read DIR`: folders outside the case's own that its files may come from. Only
/// the person running Warrant can give it; a case cannot widen where it reads case files.
struct ReadOptions: ParsableArguments {
    @Option(name: .customLong("allow-read"), help: ArgumentHelp(
        "A folder outside the case's own that case and data files may come from; repeatable.",
        valueName: "dir"))
    var allowRead: [String] = []
}
