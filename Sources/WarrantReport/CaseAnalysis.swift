import WarrantCore
import WarrantEvidence

/// Everything Warrant knows about one case after checking it: the loaded
/// argument, the checker's report, and the evidence assessment. Reports, gate
/// formats and diffs are all rendered from this.
public struct CaseAnalysis: Sendable {
    public var loaded: LoadResult
    public var report: CheckReport
    public var evidence: EvidenceAssessment?
    /// The day (UTC, `YYYY-MM-DD`) the case was judged on: `Clock.today()` when the
    /// analysis was made, which `WARRANT_NOW` fixes.
    public var evaluationDay: String

    public init(loaded: LoadResult, report: CheckReport, evidence: EvidenceAssessment?, evaluationDay: String = Clock.today()) {
        self.loaded = loaded
        self.report = report
        self.evidence = evidence
        self.evaluationDay = evaluationDay
    }

    public var assuranceCase: AssuranceCase { loaded.assuranceCase }

    public func status(_ id: String) -> NodeStatus {
        report.statuses.first { $0.id == id }?.status ?? .open
    }

    /// Statuses by id, for repeated lookups.
    public var statusByID: [String: NodeStatus] {
        Dictionary(report.statuses.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
    }

    /// The legs, as the checker's graph defines them (``ArgumentGraph/legs``), so that the
    /// report's legs table and the scheming rules speak of the same claims.
    public var legs: [ArgumentNode] {
        report.graph.legs.map { report.graph.nodes[$0] }
    }

    /// Ids of the nodes below `id` by `supported_by`, with the context they use and what
    /// discharges their assumptions, in reading order (the node itself first).
    public func subtree(of id: String) -> [String] {
        guard let i = assuranceCase.index[id] else { return [] }
        let g = report.graph
        return g.preorder(from: i, via: [.support, .context, .discharge]).map { g.nodes[$0].id }
    }

    /// What the verdict is: pass or fail at the report's level.
    public var passed: Bool { !report.failed }
}
