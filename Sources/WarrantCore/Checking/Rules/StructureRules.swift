/// The rules about the argument's shape: one root that is a claim (S01, S02), no support
/// cycles (S07), everything reachable (S08), every claim developed (S09–S12), gsn2x's
/// defeated marks (S18) and no template placeholder left (S16).
public enum StructureRules {
    /// S01: exactly one root; S02: the root is a claim.
    public static func roots(_ g: ArgumentGraph, into f: inout FindingList) {
        guard !g.nodes.isEmpty else { return }
        let roots = g.rootCandidates
        if roots.isEmpty {
            f.emit(Rules.singleRoot, g.nodes[0].location,
                   "the argument has no root: every node is referred to by another one, so they all sit on cycles",
                   hint: "the top claim must be one that nothing else supports")
            return
        }
        if roots.count > 1 {
            let shown = roots.prefix(10).map { g.nodes[$0].id }.joined(separator: ", ") + (roots.count > 10 ? ", ..." : "")
            f.emit(Rules.singleRoot, g.nodes[roots[1]].location,
                   "the argument has \(roots.count) roots (nodes that nothing refers to): \(shown)",
                   hint: "connect them under the top claim, or remove the stray ones",
                   notes: roots.prefix(10).map { Finding.Note("'\(g.nodes[$0].id)' is not referred to", at: g.nodes[$0].location) },
                   severity: g.isGSN2X ? .warning : nil)
            return
        }
        let root = g.nodes[roots[0]]
        if root.type != .claim {
            f.emit(Rules.rootIsClaim, root.location, "the root of the argument is \(g.describe(root)); it must be a claim",
                   hint: "put a claim above it that states what the case establishes", node: root.id)
        }
    }

    /// S07: each support cycle, as a shortest cycle through its first-written node, with a
    /// note at every link of it.
    public static func supportCycles(_ g: ArgumentGraph, into f: inout FindingList) {
        for component in g.supportCycles {
            guard let start = component.min() else { continue }
            let cycle = ArgumentGraph.shortestCycle(from: start, within: Set(component), edges: g.support)
            let ids = (cycle + [cycle[0]]).map { g.nodes[$0].id }
            var notes: [Finding.Note] = []
            for (k, a) in cycle.enumerated() {
                let b = cycle[(k + 1) % cycle.count]
                if let ref = g.nodes[a].supportedBy.first(where: { $0.target == g.nodes[b].id }) {
                    notes.append(Finding.Note("'\(g.nodes[a].id)' is supported by '\(g.nodes[b].id)'", at: ref.location))
                }
            }
            f.emit(Rules.supportCycle, notes.first?.location ?? g.nodes[cycle[0]].location,
                   "`supported_by` links form a cycle: \(ids.joined(separator: " -> "))",
                   hint: "break the cycle by removing one of these links", notes: notes, node: g.nodes[cycle[0]].id)
        }
    }

    /// S08: every node is reachable from a root (from every root candidate, so that a
    /// case with two roots is not also told that half of it is unreachable).
    public static func reachability(_ g: ArgumentGraph, into f: inout FindingList) {
        guard !g.rootCandidates.isEmpty else { return }
        let reached = g.reachable(from: g.rootCandidates, via: .argument)
        for i in g.nodes.indices where !reached[i] {
            f.emit(Rules.unreachable, g.nodes[i].location, "\(g.describe(i)) cannot be reached from the root",
                   hint: "link it into the argument, or remove it", node: g.nodes[i].id)
        }
    }

    /// Which claims, strategies and defeaters are developed: some chain of support below
    /// them ends in evidence (nil on a support cycle).
    public static func developed(_ g: ArgumentGraph) -> [Bool?] {
        evaluatePostOrder(count: g.nodes.count, dependencies: { g.support[$0] }) { i, deps -> Bool in
            let node = g.nodes[i]
            switch node.type {
            case .evidence: return true
            case .claim, .strategy, .defeater:
                return !node.undeveloped && deps.contains { $0 == true }
            default: return false
            }
        }
    }

    /// S09 (no support and not marked undeveloped), S10 (marked undeveloped), S12 (marked
    /// undeveloped but supported) and S11: a claim whose every chain of support ends
    /// without evidence, reported at the topmost such node.
    public static func development(_ g: ArgumentGraph, into f: inout FindingList) {
        for node in g.nodes {
            if node.undeveloped && !node.supportedBy.isEmpty {
                f.emit(Rules.undevelopedWithSupport, node.supportedBy[0].location,
                       "\(g.describe(node)) is marked undeveloped but has support",
                       hint: "remove `undeveloped: true`, or the support", node: node.id)
            }
            guard node.type.needsSupport, node.supportedBy.isEmpty else { continue }
            if node.undeveloped {
                f.emit(Rules.markedUndeveloped, node.location, "\(g.describe(node)) is undeveloped", node: node.id)
            } else {
                f.emit(Rules.undevelopedLeaf, node.location,
                       "\(g.describe(node)) has no support and is not marked undeveloped",
                       hint: "add `\(g.isGSN2X ? "supportedBy" : "supported_by")`, or `undeveloped: true` if it is left for later",
                       node: node.id, severity: g.isGSN2X ? .warning : nil)
            }
        }
        let developed = developed(g)
        func stuck(_ i: Int) -> Bool {
            let node = g.nodes[i]
            return node.type.needsSupport && !node.undeveloped && !g.support[i].isEmpty && developed[i] != true
        }
        for i in g.nodes.indices where stuck(i) && !g.supportParents[i].contains(where: stuck) {
            f.emit(Rules.transitivelyUndeveloped, g.nodes[i].location,
                   "\(g.describe(i)) is not developed: everything below it ends in undeveloped claims or strategies, with no evidence",
                   node: g.nodes[i].id)
        }
    }

    /// S18, gsn2x's `defeated` marks: a node marked defeated needs a defeater that challenges
    /// it, a relation marked defeated needs to exist.
    public static func defeatedMarks(_ g: ArgumentGraph, into f: inout FindingList) {
        var challengedWhole = Set<String>()
        for node in g.nodes {
            for ref in node.challenges where ref.linkTarget == nil { challengedWhole.insert(ref.target) }
        }
        for node in g.nodes {
            if node.markedDefeated && !challengedWhole.contains(node.id) {
                f.emit(Rules.defeatedMark, node.location, "\(g.describe(node)) is marked defeated, but no defeater challenges it",
                       hint: "add a counter-goal or counter-solution with `challenges: \(node.id)`", node: node.id)
            }
            for ref in node.defeatedRelations {
                let ok = node.supportedBy.contains { $0.target == ref.target } || node.inContextOf.contains { $0.target == ref.target }
                    || node.challenges.contains { $0.target == ref.target && $0.linkTarget == nil }
                if !ok {
                    f.emit(Rules.defeatedMark, ref.location,
                           "\(g.describe(node)) marks its relation to '\(ref.target)' defeated, but it has no such relation", node: node.id)
                }
            }
        }
    }

    /// S16: a `{name}` left from a template in the case's title, id or
    /// any node's text.
    public static func placeholders(_ g: ArgumentGraph, header: CaseHeader?, into f: inout FindingList) {
        var strings: [(LocatedString, String?)] = []
        if let header {
            if let t = header.title { strings.append((t, nil)) }
            if let t = header.id { strings.append((t, nil)) }
        }
        for node in g.nodes {
            for s in node.strings { strings.append((s, node.id)) }
        }
        for (s, id) in strings {
            let names = PlaceholderScanner.names(in: s.value)
            guard !names.isEmpty else { continue }
            let list = names.map { "{\($0)}" }.joined(separator: ", ")
            f.emit(Rules.placeholder, s.location,
                   "template placeholder\(names.count > 1 ? "s" : "") \(list) left unfilled",
                   hint: "replace \(names.count > 1 ? "them" : "it") with the real value", node: id)
        }
    }
}
