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

extension CheckRun {
    /// Resolves assumptions' `depends_on` (claims they presuppose).
    mutating func resolveDependencies() {
        for i in nodes.indices {
            for ref in nodes[i].scheming.dependsOn {
                guard let j = index(ref.target) else {
                    unresolved(ref, from: nodes[i], link: "depends_on")
                    continue
                }
                if nodes[j].type != .claim {
                    emit(Rules.dischargeLink, ref.location,
                         "\(describe(nodes[i])) depends on \(describe(nodes[j])); `depends_on` names claims", node: nodes[i].id)
                    continue
                }
                dependsOn[i].append(j)
            }
        }
    }

    /// Validates waivers and marks the ones in force.
    mutating func checkWaivers() {
        for i in nodes.indices {
            guard let waiver = nodes[i].scheming.waiver else { continue }
            var missing: [String] = []
            if (waiver.by ?? "").isEmpty { missing.append("`by` (who accepts the risk)") }
            if (waiver.reason ?? "").isEmpty { missing.append("`reason`") }
            guard let until = waiver.until, Clock.isDay(until) else {
                emit(Rules.invalidWaiver, waiver.location,
                     "the waiver of '\(nodes[i].id)' needs `until` as a date YYYY-MM-DD" + (missing.isEmpty ? "" : ", and " + missing.joined(separator: ", ")),
                     node: nodes[i].id)
                continue
            }
            if !missing.isEmpty {
                emit(Rules.invalidWaiver, waiver.location, "the waiver of '\(nodes[i].id)' lacks \(missing.joined(separator: " and "))",
                     node: nodes[i].id)
                continue
            }
            if until < options.today {
                emit(Rules.expiredWaiver, waiver.location,
                     "the waiver of '\(nodes[i].id)' expired on \(until) (today is \(options.today)); the assumption is open again",
                     hint: "discharge the assumption, or renew the waiver with a new decision", node: nodes[i].id)
                continue
            }
            waived[i] = true
        }
    }

    func reachableFromRoot() -> [Bool] {
        var reached = [Bool](repeating: false, count: nodes.count)
        guard let r = rootIndex else { return reached }
        var stack = [r]
        reached[r] = true
        while let i = stack.popLast() {
            for j in support[i] + context[i] + discharge[i] + challengers[i] + dependsOn[i] where !reached[j] {
                reached[j] = true
                stack.append(j)
            }
        }
        return reached
    }

    func assumptionStatus(_ i: Int) -> AssumptionStatus {
        if waived[i] { return .waived }
        switch statuses.isEmpty ? .open : statuses[i] {
        case .supported: return nodes[i].dischargedBy.isEmpty ? .open : .discharged
        case .defeated: return .invalidated
        case .open: return .open
        }
    }

    func assumptionLedger() -> [AssumptionEntry] {
        let reached = reachableFromRoot()
        return nodes.indices.filter { nodes[$0].type == .assumption }.map { i in
            let n = nodes[i]
            let expired = n.scheming.waiver?.until.map { Clock.isDay($0) && $0 < options.today } ?? false
            return AssumptionEntry(
                id: n.id, text: n.text?.value, location: n.location, gate: n.scheming.gate ?? .blocking,
                research: n.scheming.research, provenance: n.scheming.provenance, catalog: n.scheming.catalog,
                status: assumptionStatus(i), dischargedBy: n.dischargedBy.map(\.target), waiver: n.scheming.waiver,
                waiverExpired: expired, inArgument: reached[i] || rootIndex == nil)
        }
    }

    /// A01/A02 (open assumptions at release) and A05 (circular discharge).
    mutating func checkAssumptions() {
        if options.level == .release, rootIndex != nil {
            let reached = reachableFromRoot()
            for i in nodes.indices where nodes[i].type == .assumption && reached[i] {
                let status = assumptionStatus(i)
                guard status == .open else { continue }
                let blocking = (nodes[i].scheming.gate ?? .blocking) == .blocking
                let research = nodes[i].scheming.research.map { " (research: \($0.rawValue.replacingOccurrences(of: "_", with: " ")))" } ?? ""
                emit(blocking ? Rules.openBlockingAssumption : Rules.openWarningAssumption, nodes[i].location,
                     "\(blocking ? "blocking" : "warning") assumption '\(nodes[i].id)' is open\(research)"
                        + (nodes[i].text.map { ": \($0.value)" } ?? ""),
                     hint: nodes[i].dischargedBy.isEmpty
                        ? "discharge it (`discharged_by`) or waive it (`waiver: {by, reason, until}`)"
                        : "it is discharged once \(nodes[i].dischargedBy.map(\.target).joined(separator: ", ")) is supported",
                     node: nodes[i].id)
            }
        }
        checkCircularDischarge()
    }

    /// Cycles through `discharged_by` / `depends_on` edges and the support and
    /// assumptions of the claims they reach.
    mutating func checkCircularDischarge() {
        let n = nodes.count
        // Edges: claim/strategy → supporters and assumptions in context; assumption → dischargers and dependencies.
        var edges = [[Int]](repeating: [], count: n)
        var hasAssumptionEdge = false
        for i in 0..<n {
            switch nodes[i].type {
            case .assumption:
                edges[i] = discharge[i] + dependsOn[i]
                if !edges[i].isEmpty { hasAssumptionEdge = true }
            case .claim, .strategy:
                edges[i] = support[i] + context[i].filter { nodes[$0].type == .assumption }
            default: break
            }
        }
        guard hasAssumptionEdge else { return }
        let components = stronglyConnectedComponents(edges)
        var reported = Set<Int>()
        for component in components where component.count > 1 {
            let members = Set(component)
            // A choice node with enough alternatives outside the cycle breaks it.
            let forced = component.allSatisfy { i in
                guard let k = nodes[i].scheming.choiceMin else { return true }
                let outside = support[i].filter { !members.contains($0) }.count
                return outside < k
            }
            guard forced else { continue }
            for a in component.sorted() where nodes[a].type == .assumption && !edges[a].isEmpty && !reported.contains(a) {
                let cycle = shortestCycle(from: a, within: members, edges: edges)
                guard cycle.count > 1 else { continue }
                reported.formUnion(cycle.filter { nodes[$0].type == .assumption })
                let path = (cycle + [cycle[0]]).map { nodes[$0].id }.joined(separator: " -> ")
                emit(Rules.circularDischarge, nodes[a].location,
                     "assumption '\(nodes[a].id)' is discharged by an argument that rests on it: \(path)",
                     hint: "ground the discharge in evidence that does not presuppose '\(nodes[a].id)' (e.g. another route)",
                     notes: cycle.map { Finding.Note("\(describe(nodes[$0]))", at: nodes[$0].location) }, node: nodes[a].id)
                break
            }
        }
    }

    func stronglyConnectedComponents(_ edges: [[Int]]) -> [[Int]] {
        let n = edges.count
        var indexOf = [Int](repeating: -1, count: n), low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = [], result: [[Int]] = []
        var counter = 0
        for start in 0..<n where indexOf[start] < 0 {
            var work: [(Int, Int)] = [(start, 0)]
            indexOf[start] = counter; low[start] = counter; counter += 1
            stack.append(start); onStack[start] = true
            while let (v, e) = work.last {
                if e < edges[v].count {
                    work[work.count - 1].1 += 1
                    let w = edges[v][e]
                    if indexOf[w] < 0 {
                        indexOf[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], indexOf[w])
                    }
                } else {
                    work.removeLast()
                    if let p = work.last { low[p.0] = min(low[p.0], low[v]) }
                    if low[v] == indexOf[v] {
                        var component: [Int] = []
                        while let w = stack.popLast() {
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        result.append(component)
                    }
                }
            }
        }
        return result
    }

    func shortestCycle(from start: Int, within members: Set<Int>, edges: [[Int]]) -> [Int] {
        var previous: [Int: Int] = [:]
        var queue = [start], head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for w in edges[v] where members.contains(w) {
                if w == start {
                    var path = [v], x = v
                    while x != start, let p = previous[x] { path.append(p); x = p }
                    return path.reversed()
                }
                if previous[w] == nil { previous[w] = v; queue.append(w) }
            }
        }
        return [start]
    }

    /// A06: a case made from a template keeps the template's assumptions.
    mutating func checkTemplateConformance() {
        guard let origin = c.header?.template, !gsn else { return }
        guard let required = TemplateLibrary.requiredAssumptions(ofSet: origin.name) else {
            emit(Rules.invalidValue, origin.location, "unknown template '\(origin.name)' in `case.template`",
                 hint: "`warrant templates` lists the built-in templates")
            return
        }
        let present = Set(nodes.filter { $0.type == .assumption }.map { $0.scheming.catalog ?? $0.id })
        let missing = required.filter { !present.contains($0.catalog) }
        for m in missing {
            emit(Rules.templateAssumptionMissing, origin.location,
                 "assumption \(m.catalog) of template '\(origin.name)' is missing from the case" + (m.text.map { ": \($0)" } ?? ""),
                 hint: "restore it; an assumption can be discharged, waived or invalidated, but not deleted")
        }
    }
}
