import WarrantCore
import WarrantEvals
import WarrantEvidence
import WarrantReport

/// What to check: the case files, how to read them, the level, and the store.
public struct CheckRequest: Sendable {
    /// Case files: one Warrant case, or gsn2x files that form one argument together.
    public var files: [String]
    public var inputFormat: InputFormat
    /// The gate level; nil uses each case's `policy.level`, else draft.
    public var level: GateLevel?
    /// Whether warnings fail the check too.
    public var strict: Bool
    /// The evidence store (a file or a `postgresql://` URL); nil is `WARRANT_STORE`, else
    /// each case's `policy.store`, else `.warrant/evidence.sqlite` beside each case.
    public var store: String?
    /// Folders outside the case's own that its files may come from (`--allow-read`).
    public var allowRead: [String]

    public init(files: [String], inputFormat: InputFormat = .auto, level: GateLevel? = nil, strict: Bool = false,
                store: String? = nil, allowRead: [String] = []) {
        self.files = files
        self.inputFormat = inputFormat
        self.level = level
        self.strict = strict
        self.store = store
        self.allowRead = allowRead
    }
}

/// Loading, evidence assessment and checking: the pipeline behind `check`, `report`,
/// `gate`, `diff`, `assumptions` and the last step of `build`.
public enum CaseChecker {
    /// The loader every command uses: the built-in recipes' schemas, and the folders the
    /// person running Warrant allows beyond the case's own.
    public static func loader(allowRead: [String] = []) -> CaseLoader {
        CaseLoader(recipeSchemas: BuiltInRecipes.schemas, allowedRoots: allowRead)
    }

    /// Loads each case, assesses its evidence against its store, and checks the argument.
    ///
    /// Throws when a file or the store cannot be read (an unreadable case, a damaged or
    /// foreign store): Warrant could not do its job. Everything wrong *in* the case is a
    /// finding in the returned reports instead.
    public static func analyse(_ request: CheckRequest) throws -> [CaseAnalysis] {
        let results = try loader(allowRead: request.allowRead).load(paths: request.files, format: request.inputFormat)
        return try results.map { try analyse(loaded: $0, request: request) }
    }

    /// Assesses and checks one loaded case.
    public static func analyse(loaded: LoadResult, request: CheckRequest) throws -> CaseAnalysis {
        var loaded = loaded
        let effective = request.level ?? loaded.assuranceCase.header?.level ?? .draft
        var options = CheckOptions(level: effective, strict: request.strict)
        var assessment: EvidenceAssessment?
        if !loaded.assuranceCase.isGSN2X, let input = loaded.inputs.first {
            let evidenceStore = try openStore(StoreLocation.resolve(explicit: request.store, casePath: input, header: loaded.assuranceCase.header))
            let assessor = EvidenceAssessor(store: evidenceStore, level: effective, methodVersions: BuildPlan.methodVersions)
            let a = try assessor.assess(loaded)
            loaded.findings += a.findings
            options.evidenceStatus = a.statusFunction
            assessment = a
        }
        return CaseAnalysis(loaded: loaded, report: Checker.check(loaded, options: options), evidence: assessment)
    }

    /// The store at `path` if there is one; none yet is fine (every linked record is
    /// missing); a damaged or foreign file throws.
    public static func openStore(_ path: String) throws -> EvidenceStore? {
        do {
            return try EvidenceStore(path: path, create: false)
        } catch StoreError.missing {
            return nil
        }
    }

    /// A version of a case that `diff` cannot compare: it does not parse as a case.
    public struct UnreadableVersion: Error, CustomStringConvertible {
        public var file: String
        public var problems: [String]
        public var description: String {
            "\(file) cannot be compared: it does not load as a case (\(problems.prefix(3).joined(separator: "; ")))"
        }
    }

    /// Findings that mean a file was not read as a case at all: YAML that does not parse,
    /// an empty file, an unknown format version, a resource limit.
    static let unreadable: Set<String> = [Rules.yamlSyntax.id, Rules.emptyFile.id, Rules.formatVersion.id, Rules.resourceLimit.id]

    /// What changed between two versions of a case, each checked at `level` (nil: each
    /// case's own `policy.level`), with evidence judged against `store` (nil: the store
    /// beside each version). A version that does not load is an error, not an empty case.
    public static func diff(old: String, new: String, level: GateLevel? = nil, store: String? = nil,
                            allowRead: [String] = []) throws -> CaseDiff? {
        guard let before = try analyse(CheckRequest(files: [old], level: level, store: store, allowRead: allowRead)).first,
              let after = try analyse(CheckRequest(files: [new], level: level, store: store, allowRead: allowRead)).first else { return nil }
        for (file, version) in [(old, before), (new, after)] {
            let problems = version.loaded.findings.filter { Self.unreadable.contains($0.rule) }
            if !problems.isEmpty {
                throw UnreadableVersion(file: file, problems: problems.map { f in (f.location.map { "\($0): " } ?? "") + f.message })
            }
        }
        return CaseDiff(old: before, new: after)
    }
}

extension CaseAnalysis {
    /// One line naming the store and the chain head the verdict was about.
    public var storeLine: String? {
        guard let store = evidence?.store else { return nil }
        let head = store.head.map { "head \($0)" } ?? (store.records == 0 ? "empty" : "does not verify")
        return "evidence: \(store.store): \(store.records) record\(store.records == 1 ? "" : "s"), \(head)"
            + (store.pinned ? " (extends the pinned head" + (store.after_pin > 0
                ? "; the \(store.after_pin) record\(store.after_pin == 1 ? "" : "s") after it \(store.after_pin == 1 ? "is" : "are") not used until the head is pinned again)" : ")") : "")
    }
}
