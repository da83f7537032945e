/// Resolving links: every `supported_by`, `in_context_of`, `discharged_by`, `challenges`
/// and `depends_on` entry becomes an edge of the ``ArgumentGraph`` or a finding that says
/// why it cannot (S03 unresolved, S04–S06 and S19 wrong kinds of node, S14 duplicate,
/// S07 and S13 self-links, S15 challenges, S17 discharge links, S21 claim points).
extension ArgumentGraph {
    /// Resolves the case's links into a graph, adding a finding for every link that does
    /// not become an edge, and for edges between the wrong kinds of node.
    public static func resolve(_ c: AssuranceCase, into findings: inout FindingList) -> ArgumentGraph {
        var resolver = LinkResolver(c: c, graph: ArgumentGraph(nodes: c.nodes, isGSN2X: c.isGSN2X))
        resolver.resolveAll(into: &findings)
        var graph = resolver.graph
        graph.finish()
        return graph
    }
}

struct LinkResolver {
    let c: AssuranceCase
    var graph: ArgumentGraph
    var gsn: Bool { graph.isGSN2X }
    var nodes: [ArgumentNode] { graph.nodes }

    func index(_ id: String) -> Int? { c.index[id] }
    func describe(_ node: ArgumentNode) -> String { graph.describe(node) }

    mutating func resolveAll(into f: inout FindingList) {
        for i in nodes.indices {
            resolveSupport(i, into: &f)
            resolveContext(i, into: &f)
            resolveDischarge(i, into: &f)
            resolveChallenges(i, into: &f)
            checkClaimPoints(i, into: &f)
        }
        for i in nodes.indices { resolveDependencies(i, into: &f) }
    }

    /// S03, with a suggestion of the nearest id.
    func unresolved(_ ref: Reference, from node: ArgumentNode, link: String, id: String? = nil, into f: inout FindingList) {
        let target = id ?? ref.target
        if c.brokenIDs.contains(target) { return }
        var message = "\(describe(node)) refers in `\(link)` to '\(target)', which is not defined"
        var hint: String?
        // A suggestion costs a scan of all ids; bound it for huge broken cases.
        if f.count < 200, let s = Suggestions.nearest(to: target, in: c.index.keys) {
            message += "; did you mean '\(s)'?"
            hint = "change it to '\(s)'"
        } else if target.contains(",") {
            hint = "this looks like a list written as one id; write [A, B]"
        } else if !gsn {
            hint = "define it under `nodes:`, or add the file that defines it to `uses`"
        }
        f.emit(Rules.unresolvedReference, ref.location, message, hint: hint, node: node.id)
    }

    /// S14: whether `ref` repeats an entry already seen in the same list.
    func isDuplicate(_ ref: Reference, of node: ArgumentNode, in key: String, seen: inout Set<String>, into f: inout FindingList) -> Bool {
        if seen.insert(ref.target).inserted { return false }
        f.emit(Rules.duplicateReference, ref.location, "\(describe(node)) lists '\(ref.target)' twice in `\(key)`",
               hint: "remove the second entry", node: node.id)
        return true
    }

    mutating func resolveSupport(_ i: Int, into f: inout FindingList) {
        let node = nodes[i]
        var seen = Set<String>()
        let key = gsn ? "supportedBy" : "supported_by"
        for ref in node.supportedBy {
            if isDuplicate(ref, of: node, in: key, seen: &seen, into: &f) { continue }
            guard let j = index(ref.target) else {
                graph.incomplete[i] = true
                unresolved(ref, from: node, link: key, into: &f)
                continue
            }
            graph.referenced[j] = true
            graph.referencedByDischargeOnly[j] = false
            if j == i {
                graph.incomplete[i] = true
                f.emit(Rules.supportCycle, ref.location, "\(describe(node)) supports itself: \(node.id) -> \(node.id)",
                       hint: "remove '\(node.id)' from its own `\(key)`", node: node.id)
                continue
            }
            graph.support[i].append(j)
            graph.supportParents[j].append(i)
            checkSupportType(from: node, to: nodes[j], ref: ref, key: key, into: &f)
        }
    }

    /// S19 (context attached by support), S04 (support between the wrong kinds), S05
    /// (a strategy straight to evidence).
    func checkSupportType(from node: ArgumentNode, to target: ArgumentNode, ref: Reference, key: String, into f: inout FindingList) {
        let from = node.type, to = target.type
        if to.isContextual {
            f.emit(Rules.unattachedContext, ref.location,
                   "\(describe(node)) is supported by \(describe(target)); a \(to.rawValue) is attached with `\(gsn ? "inContextOf" : "in_context_of")`",
                   hint: "move '\(target.id)' to `\(gsn ? "inContextOf" : "in_context_of")`", node: node.id)
            return
        }
        let allowed: Bool
        if gsn {
            switch from {
            case .claim, .strategy: allowed = true  // gsn2x: goal, strategy, solution and counter nodes
            case .defeater: allowed = node.typeWritten == "CounterGoal" && to == .defeater
            default: allowed = false
            }
        } else {
            switch from {
            case .claim: allowed = to == .claim || to == .strategy || to == .evidence
            case .strategy: allowed = to == .claim || to == .evidence
            case .defeater: allowed = true  // a defeater is argued like a claim
            default: allowed = false
            }
        }
        if !allowed {
            let why: String
            switch from {
            case .evidence: why = "evidence is a leaf and is never supported"
            case .context, .assumption, .justification:
                why = "a \(from.rawValue) is not argued for; \(from == .assumption ? "discharge it with `discharged_by`" : "it only scopes claims and strategies")"
            case .strategy: why = "a strategy is supported by the claims it decomposes into"
            default: why = "`\(key)` goes from a claim to claims, strategies or evidence"
            }
            f.emit(Rules.supportLinkType, ref.location, "\(describe(node)) cannot be supported by \(describe(target)): \(why)",
                   node: node.id)
        } else if from == .strategy && to == .evidence {
            f.emit(Rules.strategyToEvidence, ref.location,
                   "\(describe(node)) is supported directly by \(describe(target))",
                   hint: "add a claim between them that states what the evidence establishes", node: node.id)
        }
    }

    mutating func resolveContext(_ i: Int, into f: inout FindingList) {
        let node = nodes[i]
        var seen = Set<String>()
        let key = gsn ? "inContextOf" : "in_context_of"
        let supportKey = gsn ? "supportedBy" : "supported_by"
        for ref in node.inContextOf {
            if isDuplicate(ref, of: node, in: key, seen: &seen, into: &f) { continue }
            guard let j = index(ref.target) else { unresolved(ref, from: node, link: key, into: &f); continue }
            graph.referenced[j] = true
            graph.referencedByDischargeOnly[j] = false
            if j == i {
                f.emit(Rules.selfReference, ref.location, "\(describe(node)) is in its own context",
                       node: node.id, severity: gsn ? .error : nil)
                continue
            }
            graph.context[i].append(j)
            let target = nodes[j]
            if !node.type.needsSupport || !target.type.isContextual {
                f.emit(Rules.contextLinkType, ref.location,
                       "\(describe(node)) cannot have \(describe(target)) in its context: `\(key)` goes from a claim or strategy to a context, assumption or justification",
                       hint: target.type.needsSupport || target.type == .evidence
                           ? "a \(target.type.rawValue) supports: move it to `\(supportKey)`" : nil,
                       node: node.id)
            }
        }
    }

    mutating func resolveDischarge(_ i: Int, into f: inout FindingList) {
        let node = nodes[i]
        var seen = Set<String>()
        if let first = node.dischargedBy.first, node.type != .assumption {
            f.emit(Rules.dischargeLink, first.location,
                   "\(describe(node)) has `discharged_by`, but only assumptions are discharged", node: node.id)
        }
        for ref in node.dischargedBy {
            if isDuplicate(ref, of: node, in: "discharged_by", seen: &seen, into: &f) { continue }
            guard let j = index(ref.target) else {
                graph.incomplete[i] = true
                unresolved(ref, from: node, link: "discharged_by", into: &f)
                continue
            }
            if !graph.referenced[j] { graph.referencedByDischargeOnly[j] = true }
            graph.referenced[j] = true
            if j == i {
                f.emit(Rules.selfReference, ref.location, "\(describe(node)) names itself in `discharged_by`", node: node.id)
                continue
            }
            let target = nodes[j]
            guard target.type == .claim || target.type == .evidence else {
                f.emit(Rules.dischargeLink, ref.location,
                       "\(describe(node)) is discharged by \(describe(target)); only claims and evidence discharge assumptions",
                       node: node.id)
                continue
            }
            graph.discharge[i].append(j)
        }
    }

    mutating func resolveChallenges(_ i: Int, into f: inout FindingList) {
        let node = nodes[i]
        if node.type != .defeater {
            if let first = node.challenges.first {
                f.emit(Rules.defeaterTarget, first.location,
                       "\(describe(node)) has `challenges`, but only defeaters\(gsn ? " (counter-goals and counter-solutions)" : "") challenge",
                       hint: gsn ? "use a CG or CSn id, or `nodeType: CounterGoal`" : "make it `type: defeater`", node: node.id)
            }
            return
        }
        if node.challenges.isEmpty {
            if !gsn {
                f.emit(Rules.defeaterTarget, node.location, "\(describe(node)) challenges nothing",
                       hint: "add `challenges:` naming the node (or `\"A -> B\"` link) it doubts", node: node.id)
            }
            return
        }
        for ref in node.challenges {
            if let linkTarget = ref.linkTarget {
                guard let a = index(ref.target) else { unresolved(ref, from: node, link: "challenges", into: &f); continue }
                guard let b = index(linkTarget) else { unresolved(ref, from: node, link: "challenges", id: linkTarget, into: &f); continue }
                if a == b {
                    f.emit(Rules.defeaterTarget, ref.location, "\(describe(node)) challenges a link from '\(ref.target)' to itself",
                           node: node.id)
                    continue
                }
                let na = nodes[a], nb = nodes[b]
                let linked = na.supportedBy.contains { $0.target == nb.id } || na.inContextOf.contains { $0.target == nb.id }
                    || (gsn && (nb.supportedBy.contains { $0.target == na.id } || nb.inContextOf.contains { $0.target == na.id }
                        || nb.challenges.contains { $0.target == na.id && $0.linkTarget == nil }
                        || na.challenges.contains { $0.target == nb.id && $0.linkTarget == nil }))
                if !linked {
                    f.emit(Rules.defeaterTarget, ref.location,
                           "\(describe(node)) challenges the link '\(ref.written)', but '\(ref.target)' does not link to '\(linkTarget)'",
                           node: node.id)
                    continue
                }
                graph.challengers[a].append(i)
            } else {
                guard let j = index(ref.target) else { unresolved(ref, from: node, link: "challenges", into: &f); continue }
                if j == i {
                    f.emit(Rules.defeaterTarget, ref.location, "\(describe(node)) challenges itself", node: node.id)
                    continue
                }
                if !gsn && nodes[j].type == .context {
                    f.emit(Rules.defeaterTarget, ref.location,
                           "\(describe(node)) challenges \(describe(nodes[j])), but a context is not asserted and cannot be challenged",
                           hint: "challenge the claim that relies on it, or turn the context into an assumption", node: node.id)
                    continue
                }
                graph.challengers[j].append(i)
            }
        }
    }

    /// S21: gsn2x assurance claim points name the node or one of its links.
    func checkClaimPoints(_ i: Int, into f: inout FindingList) {
        let node = nodes[i]
        for ref in node.assuranceClaimPoints where ref.target != node.id {
            if !node.supportedBy.contains(where: { $0.target == ref.target && index($0.target) != nil })
                && !node.inContextOf.contains(where: { $0.target == ref.target && index($0.target) != nil }) {
                f.emit(Rules.claimPoint, ref.location,
                       "assurance claim point of '\(node.id)' refers to '\(ref.target)', which is neither '\(node.id)' nor one of its links",
                       node: node.id)
            }
        }
    }

    /// Assumptions' `depends_on`: the claims they presuppose.
    mutating func resolveDependencies(_ i: Int, into f: inout FindingList) {
        for ref in nodes[i].scheming.dependsOn {
            guard let j = index(ref.target) else {
                unresolved(ref, from: nodes[i], link: "depends_on", into: &f)
                continue
            }
            if nodes[j].type != .claim {
                f.emit(Rules.dischargeLink, ref.location,
                       "\(describe(nodes[i])) depends on \(describe(nodes[j])); `depends_on` names claims", node: nodes[i].id)
                continue
            }
            graph.dependsOn[i].append(j)
        }
    }
}
