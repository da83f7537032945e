import WarrantCore
import WarrantEvidence

/// A semantic diff of two versions of a case, for pull-request review: nodes
/// added, removed and changed; statuses changed; assumptions opened, discharged,
/// waived or invalidated; evidence whose state changed. Link changes that only
/// attach an added node, or detach a removed one, are folded into that node.
public struct CaseDiff: Sendable {
    public enum Change: Sendable, Equatable {
        case added(id: String, type: NodeType, text: String, attachedTo: [String])
        case removed(id: String, type: NodeType, text: String)
        case changed(id: String, type: NodeType, what: [String])
        case assumption(id: String, from: AssumptionStatus, to: AssumptionStatus, by: [String], consequences: [String] = [])
        case status(id: String, type: NodeType, from: NodeStatus, to: NodeStatus)
        case evidence(id: String, from: String, to: String, consequences: [String] = [])
    }

    public var changes: [Change]

    public init(old: CaseAnalysis, new: CaseAnalysis) {
        let a = old.assuranceCase, b = new.assuranceCase
        let oldIDs = Set(a.nodes.map(\.id)), newIDs = Set(b.nodes.map(\.id))
        let added = newIDs.subtracting(oldIDs), removed = oldIDs.subtracting(newIDs)
        var changes: [Change] = []
        // Who refers to each node, built once (looking it up per added node was quadratic).
        var referrers: [String: [String]] = [:]
        for p in b.nodes where !added.isEmpty {
            var named = Set<String>()
            for r in p.allReferences where named.insert(r.reference.target).inserted { referrers[r.reference.target, default: []].append(p.id) }
        }
        for node in b.nodes where added.contains(node.id) {
            let parents = referrers[node.id] ?? []
            changes.append(.added(id: node.id, type: node.type, text: node.text?.value ?? "", attachedTo: parents))
        }
        for node in a.nodes where removed.contains(node.id) {
            changes.append(.removed(id: node.id, type: node.type, text: node.text?.value ?? ""))
        }
        let oldLedger = Dictionary(old.report.assumptions.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let newLedger = Dictionary(new.report.assumptions.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let oldStatus = old.statusByID, newStatus = new.statusByID
        for node in b.nodes where !added.contains(node.id) {
            guard let before = a[node.id] else { continue }
            var what: [String] = []
            if before.type != node.type { what.append("type \(before.type.rawValue) → \(node.type.rawValue)") }
            if before.text?.value != node.text?.value { what.append("text") }
            func links(_ name: String, _ x: [Reference], _ y: [Reference], folding: Bool) {
                let xs = x.map(\.written), ys = y.map(\.written)
                let xSet = Set(xs), ySet = Set(ys)
                let plus = ys.filter { !xSet.contains($0) && !(folding && added.contains($0)) }
                let minus = xs.filter { !ySet.contains($0) && !(folding && removed.contains($0)) }
                if !plus.isEmpty { what.append("\(name) +" + plus.joined(separator: ", +")) }
                if !minus.isEmpty { what.append("\(name) −" + minus.joined(separator: ", −")) }
            }
            links("supported_by", before.supportedBy, node.supportedBy, folding: true)
            links("in_context_of", before.inContextOf, node.inContextOf, folding: true)
            links("challenges", before.challenges, node.challenges, folding: true)
            // A new discharge is reported with the assumption's transition below.
            let dischargeExplained = oldLedger[node.id]?.status != newLedger[node.id]?.status
            if !dischargeExplained { links("discharged_by", before.dischargedBy, node.dischargedBy, folding: true) }
            if before.undeveloped != node.undeveloped { what.append(node.undeveloped ? "marked undeveloped" : "developed") }
            if before.evidence?.requirements.map(\.text) != node.evidence?.requirements.map(\.text) {
                what.append("require: \(before.evidence?.requirements.map(\.text) ?? []) → \(node.evidence?.requirements.map(\.text) ?? [])")
            }
            // Where the evidence comes from: a record, a log, a pinned file or a recipe.
            if let was = before.evidence.map(Self.sourceDescription), let now = node.evidence.map(Self.sourceDescription), was != now {
                what.append("source: \(was) → \(now)")
            }
            if before.evidence?.maxAge?.value != node.evidence?.maxAge?.value {
                what.append("max_age \(before.evidence?.maxAge?.value ?? "none") → \(node.evidence?.maxAge?.value ?? "none")")
            }
            if before.evidence?.accepts.map(\.value) != node.evidence?.accepts.map(\.value) {
                what.append("accepts \(before.evidence?.accepts.map(\.value) ?? []) → \(node.evidence?.accepts.map(\.value) ?? [])")
            }
            if before.scheming.gate != node.scheming.gate { what.append("gate \(before.scheming.gate?.rawValue ?? "blocking") → \(node.scheming.gate?.rawValue ?? "blocking")") }
            if before.scheming.waiver?.until != node.scheming.waiver?.until || before.scheming.waiver?.by != node.scheming.waiver?.by {
                if !dischargeExplained { what.append("waiver") }
            }
            if !what.isEmpty { changes.append(.changed(id: node.id, type: node.type, what: what)) }

            if node.type == .assumption, let o = oldLedger[node.id], let n = newLedger[node.id], o.status != n.status {
                changes.append(.assumption(id: node.id, from: o.status, to: n.status,
                                           by: n.status == .waived ? [n.waiver?.by ?? "?"] : n.dischargedBy))
            } else if node.type == .evidence, let o = old.evidence?.states[node.id], let n = new.evidence?.states[node.id], o.name != n.name {
                changes.append(.evidence(id: node.id, from: o.name, to: n.name))
            } else if let o = oldStatus[node.id], let n = newStatus[node.id], o != n, node.type != .assumption {
                changes.append(.status(id: node.id, type: node.type, from: o, to: n))
            }
        }
        self.changes = Self.foldConsequences(changes, in: b)
    }

    /// An evidence node's link, as one line: `record 1f43…`, `inspect logs/a.json`,
    /// `file deployment.md (sha256 d205…)`, `eval {method: lib, …}`.
    static func sourceDescription(_ e: EvidenceSpec) -> String {
        var parts: [String] = []
        if let r = e.record { parts.append("record \(r.value)") }
        if let log = e.inspectLog { parts.append("\(e.sourceFormat) \(log.value)") }
        if let file = e.file { parts.append("file \(file.value)" + (e.fileSHA256.map { " (sha256 \($0.value.prefix(12))…)" } ?? "")) }
        if let recipe = e.evaluation { parts.append("eval " + flow(recipe)) }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// A YAML value in flow style, keys in their written order.
    static func flow(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let s): return s.value
        case .sequence(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .mapping(let pairs): return "{" + pairs.map { "\(flow($0.key)): \(flow($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// Status changes of nodes above an assumption or evidence change are its
    /// consequences: they are listed with it rather than on their own.
    static func foldConsequences(_ changes: [Change], in c: AssuranceCase) -> [Change] {
        var parents: [String: [String]] = [:]
        for node in c.nodes {
            for ref in node.supportedBy + node.inContextOf + node.dischargedBy { parents[ref.target, default: []].append(node.id) }
        }
        // Nodes whose parents an earlier search already walked: everything above them was
        // seen then, and what changed there was folded into that earlier change. Skipping
        // them keeps the whole fold linear in the case.
        var expanded = Set<String>()
        func ancestors(_ id: String) -> [String] {
            var seen = Set([id]), order: [String] = [], queue = [id], head = 0
            while head < queue.count {
                let x = queue[head]; head += 1
                guard expanded.insert(x).inserted else { continue }
                for p in parents[x] ?? [] where seen.insert(p).inserted { order.append(p); queue.append(p) }
            }
            return order
        }
        var statusChanges: [String: String] = [:]
        for change in changes {
            if case .status(let id, let type, let from, let to) = change { statusChanges[id] = "\(type.rawValue) \(id) \(from.rawValue) → \(to.rawValue)" }
        }
        var folded = Set<String>()
        var out: [Change] = []
        for change in changes {
            switch change {
            case .assumption(let id, let from, let to, let by, _):
                let caused = ancestors(id).filter { statusChanges[$0] != nil && !folded.contains($0) }
                folded.formUnion(caused)
                out.append(.assumption(id: id, from: from, to: to, by: by, consequences: caused.map { statusChanges[$0]! }))
            case .evidence(let id, let from, let to, _):
                let caused = ancestors(id).filter { statusChanges[$0] != nil && !folded.contains($0) }
                folded.formUnion(caused)
                out.append(.evidence(id: id, from: from, to: to, consequences: caused.map { statusChanges[$0]! }))
            default:
                out.append(change)
            }
        }
        return out.filter { if case .status(let id, _, _, _) = $0 { return !folded.contains(id) } else { return true } }
    }

    public var isEmpty: Bool { changes.isEmpty }

    /// One line per change.
    public func text() -> String {
        if changes.isEmpty { return "no changes\n" }
        return changes.map { line($0, markdown: false) }.joined(separator: "\n") + "\n"
    }

    /// A Markdown list for a pull-request comment.
    public func markdown() -> String {
        if changes.isEmpty { return "### Safety case diff\n\nNo changes to the argument.\n" }
        return "### Safety case diff\n\n" + changes.map { "- " + line($0, markdown: true) }.joined(separator: "\n") + "\n"
    }

    func result(_ consequences: [String]) -> String {
        consequences.isEmpty ? "" : "; as a result: " + consequences.joined(separator: ", ")
    }

    func line(_ change: Change, markdown: Bool) -> String {
        func code(_ s: String) -> String { markdown ? "`\(s)`" : s }
        switch change {
        case .added(let id, let type, let text, let parents):
            return "+ \(type.rawValue) \(code(id)) added" + (parents.isEmpty ? "" : " under \(parents.map(code).joined(separator: ", "))") + ": \(text)"
        case .removed(let id, let type, let text):
            return "- \(type.rawValue) \(code(id)) removed: \(text)"
        case .changed(let id, let type, let what):
            return "~ \(type.rawValue) \(code(id)) changed: \(what.joined(separator: "; "))"
        case .assumption(let id, let from, let to, let by, let consequences):
            let verb: String
            switch to {
            case .discharged: verb = "discharged" + (by.isEmpty ? "" : " by \(by.map(code).joined(separator: ", "))")
            case .waived: verb = "waived" + (by.isEmpty ? "" : " by \(by.joined(separator: ", "))")
            case .open: verb = "opened"
            case .invalidated: verb = "invalidated"
            }
            return "~ assumption \(code(id)) \(verb) (\(from.rawValue) → \(to.rawValue))" + result(consequences)
        case .status(let id, let type, let from, let to):
            return "~ \(type.rawValue) \(code(id)) status \(from.rawValue) → \(to.rawValue)"
        case .evidence(let id, let from, let to, let consequences):
            return "~ evidence \(code(id)) \(from) → \(to)" + result(consequences)
        }
    }
}
