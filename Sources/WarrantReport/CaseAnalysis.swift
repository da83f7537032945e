import WarrantCore
import WarrantEvidence

/// Everything Warrant knows about one case after checking it: the loaded
/// argument, the checker's report, and the evidence assessment. Reports, gate
/// formats and diffs are all rendered from this.
public struct CaseAnalysis: Sendable {
    public var loaded: LoadResult
    public var report: CheckReport
    public var evidence: EvidenceAssessment?

    public init(loaded: LoadResult, report: CheckReport, evidence: EvidenceAssessment?) {
        self.loaded = loaded
        self.report = report
        self.evidence = evidence
    }

    public var assuranceCase: AssuranceCase { loaded.assuranceCase }

    public func status(_ id: String) -> NodeStatus {
        report.statuses.first { $0.id == id }?.status ?? .open
    }

    /// Statuses by id, for repeated lookups.
    public var statusByID: [String: NodeStatus] {
        Dictionary(report.statuses.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
    }

    /// The legs: the root's supporters, looking through a single strategy under the root.
    public var legs: [ArgumentNode] {
        let c = assuranceCase
        guard let rootID = report.root, let root = c[rootID] else { return [] }
        var children = root.supportedBy.compactMap { c[$0.target] }
        if children.count == 1, children[0].type == .strategy {
            children = children[0].supportedBy.compactMap { c[$0.target] }
        }
        return children
    }

    /// Ids of the nodes below `id` by `supported_by`, with the context they use.
    public func subtree(of id: String) -> [String] {
        let c = assuranceCase
        var seen: [String] = []
        var set = Set<String>()
        var stack = [id]
        while let next = stack.popLast() {
            guard set.insert(next).inserted, let node = c[next] else { continue }
            seen.append(next)
            for ref in (node.supportedBy + node.inContextOf + node.dischargedBy).reversed() { stack.append(ref.target) }
        }
        return seen
    }

    /// What the verdict is: pass or fail at the report's level.
    public var passed: Bool { !report.failed }
}
