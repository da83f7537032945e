/// What has become of an assumption.
public enum AssumptionStatus: String, Sendable, Codable, CaseIterable {
    /// Nothing discharges it yet (or its waiver expired).
    case open
    /// Everything its `discharged_by` names is supported.
    case discharged
    /// Accepted as residual risk by a valid waiver.
    case waived
    /// What discharges it is defeated, or a sustained defeater challenges it.
    case invalidated
}

/// One line of the assumption ledger.
public struct AssumptionEntry: Sendable {
    public var id: String
    public var text: String?
    public var location: SourceLocation
    public var gate: AssumptionGate
    public var research: ResearchStatus?
    public var provenance: String?
    public var catalog: String?
    public var status: AssumptionStatus
    /// What discharges it (or would, once supported).
    public var dischargedBy: [String]
    public var waiver: Waiver?
    public var waiverExpired: Bool
    /// Whether the assumption is part of the argument (reachable from the root).
    public var inArgument: Bool
}

extension AssumptionEntry {
    /// The assumption ledger: every assumption in the order written, with its status.
    static func ledger(_ g: ArgumentGraph, statuses: [NodeStatus], waived: [Bool], today: String) -> [AssumptionEntry] {
        let inArgument = g.inArgument
        return g.nodes.indices.filter { g.nodes[$0].type == .assumption }.map { i in
            let n = g.nodes[i]
            let expired = n.scheming.waiver?.until.map { Clock.isDay($0) && $0 < today } ?? false
            return AssumptionEntry(
                id: n.id, text: n.text?.value, location: n.location, gate: n.scheming.gate ?? .blocking,
                research: n.scheming.research, provenance: n.scheming.provenance, catalog: n.scheming.catalog,
                status: AssumptionRules.status(i, g, statuses: statuses, waived: waived), dischargedBy: n.dischargedBy.map(\.target),
                waiver: n.scheming.waiver, waiverExpired: expired, inArgument: inArgument[i])
        }
    }
}
