/// The rules about assumptions: valid waivers (A03 expired, A04 incomplete), no open
/// assumption at release (A01 blocking, A02 warning), no circular discharge (A05), and a
/// case made from a template keeps the template's assumptions (A06).
public enum AssumptionRules {
    /// A03 and A04; returns, by node index, the assumptions whose waiver is complete and
    /// unexpired on `today` (YYYY-MM-DD).
    public static func waivers(_ g: ArgumentGraph, today: String, into f: inout FindingList) -> [Bool] {
        var waived = [Bool](repeating: false, count: g.nodes.count)
        for (i, node) in g.nodes.enumerated() {
            guard let waiver = node.scheming.waiver else { continue }
            var missing: [String] = []
            if (waiver.by ?? "").isEmpty { missing.append("`by` (who accepts the risk)") }
            if (waiver.reason ?? "").isEmpty { missing.append("`reason`") }
            guard let until = waiver.until, Clock.isDay(until) else {
                f.emit(Rules.invalidWaiver, waiver.location,
                       "the waiver of '\(node.id)' needs `until` as a date YYYY-MM-DD" + (missing.isEmpty ? "" : ", and " + missing.joined(separator: ", ")),
                       node: node.id)
                continue
            }
            if !missing.isEmpty {
                f.emit(Rules.invalidWaiver, waiver.location, "the waiver of '\(node.id)' lacks \(missing.joined(separator: " and "))",
                       node: node.id)
                continue
            }
            if until < today {
                f.emit(Rules.expiredWaiver, waiver.location,
                       "the waiver of '\(node.id)' expired on \(until) (today is \(today)); the assumption is open again",
                       hint: "discharge the assumption, or renew the waiver with a new decision", node: node.id)
                continue
            }
            waived[i] = true
        }
        return waived
    }

    /// What has become of the assumption at index `i`.
    public static func status(_ i: Int, _ g: ArgumentGraph, statuses: [NodeStatus], waived: [Bool]) -> AssumptionStatus {
        if waived[i] { return .waived }
        switch statuses[i] {
        case .supported: return g.nodes[i].dischargedBy.isEmpty ? .open : .discharged
        case .defeated: return .invalidated
        case .open: return .open
        }
    }

    /// A01/A02: at release, every assumption in the argument is discharged or waived.
    public static func openAtRelease(_ g: ArgumentGraph, statuses: [NodeStatus], waived: [Bool], into f: inout FindingList) {
        guard f.level == .release, g.root != nil else { return }
        let reached = g.inArgument
        for i in g.nodes.indices where g.nodes[i].type == .assumption && reached[i] {
            guard status(i, g, statuses: statuses, waived: waived) == .open else { continue }
            let node = g.nodes[i]
            let blocking = (node.scheming.gate ?? .blocking) == .blocking
            let research = node.scheming.research.map { " (research: \($0.rawValue.replacingOccurrences(of: "_", with: " ")))" } ?? ""
            f.emit(blocking ? Rules.openBlockingAssumption : Rules.openWarningAssumption, node.location,
                   "\(blocking ? "blocking" : "warning") assumption '\(node.id)' is open\(research)"
                       + (node.text.map { ": \($0.value)" } ?? ""),
                   hint: node.dischargedBy.isEmpty
                       ? "discharge it (`discharged_by`) or waive it (`waiver: {by, reason, until}`)"
                       : "it is discharged once \(node.dischargedBy.map(\.target).joined(separator: ", ")) is supported",
                   node: node.id)
        }
    }

    /// The edges along which an assumption can end up resting on itself: claims and
    /// strategies to their supporters and the assumptions in their context, assumptions
    /// to what discharges them and what they depend on.
    public static func dischargeEdges(_ g: ArgumentGraph) -> [[Int]] {
        g.nodes.indices.map { i in
            switch g.nodes[i].type {
            case .assumption: return g.discharge[i] + g.dependsOn[i]
            case .claim, .strategy: return g.support[i] + g.context[i].filter { g.nodes[$0].type == .assumption }
            default: return []
            }
        }
    }

    /// A05: an assumption discharged by an argument that rests on it. A choice node with
    /// enough alternatives outside the cycle breaks it.
    public static func circularDischarge(_ g: ArgumentGraph, into f: inout FindingList) {
        let edges = dischargeEdges(g)
        guard g.nodes.indices.contains(where: { g.nodes[$0].type == .assumption && !edges[$0].isEmpty }) else { return }
        var reported = Set<Int>()
        for component in ArgumentGraph.stronglyConnectedComponents(edges) where component.count > 1 {
            let members = Set(component)
            let forced = component.allSatisfy { i in
                guard let k = g.nodes[i].scheming.choiceMin else { return true }
                return g.support[i].filter { !members.contains($0) }.count < k
            }
            guard forced else { continue }
            for a in component.sorted() where g.nodes[a].type == .assumption && !edges[a].isEmpty && !reported.contains(a) {
                let cycle = ArgumentGraph.shortestCycle(from: a, within: members, edges: edges)
                guard cycle.count > 1 else { continue }
                reported.formUnion(cycle.filter { g.nodes[$0].type == .assumption })
                let path = (cycle + [cycle[0]]).map { g.nodes[$0].id }.joined(separator: " -> ")
                let id = g.nodes[a].id
                f.emit(Rules.circularDischarge, g.nodes[a].location,
                       "assumption '\(id)' is discharged by an argument that rests on it: \(path)",
                       hint: "ground the discharge in evidence that does not presuppose '\(id)' (e.g. another route)",
                       notes: cycle.map { Finding.Note("\(g.describe($0))", at: g.nodes[$0].location) }, node: id)
                break
            }
        }
    }

    /// A06: a case made from a template keeps the template's assumptions (by catalogue id).
    public static func templateConformance(_ g: ArgumentGraph, header: CaseHeader?, into f: inout FindingList) {
        guard let origin = header?.template, !g.isGSN2X else { return }
        guard let required = TemplateLibrary.requiredAssumptions(ofSet: origin.name) else {
            f.emit(Rules.invalidValue, origin.location, "unknown template '\(origin.name)' in `case.template`",
                   hint: "`warrant templates` lists the built-in templates")
            return
        }
        let present = Set(g.nodes.filter { $0.type == .assumption }.map { $0.scheming.catalog ?? $0.id })
        for m in required where !present.contains(m.catalog) {
            f.emit(Rules.templateAssumptionMissing, origin.location,
                   "assumption \(m.catalog) of template '\(origin.name)' is missing from the case" + (m.text.map { ": \($0)" } ?? ""),
                   hint: "restore it; an assumption can be discharged, waived or invalidated, but not deleted")
        }
    }
}
