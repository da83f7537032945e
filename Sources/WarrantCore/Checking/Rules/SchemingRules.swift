/// The rules that know what a sound scheming safety case must contain (Balesni et al.
/// 2024; `safety-cases.md` §6.3 rules 37–43). Legs are the graph's tagged legs
/// (``ArgumentGraph/familyLegs``); assumptions are recognised by their `catalog:` id (or
/// their node id).
public enum SchemingRules {
    /// H01–H07, for a Warrant case with a root and at least one tagged leg.
    public static func all(_ g: ArgumentGraph, into f: inout FindingList) {
        guard g.root != nil, !g.isGSN2X, !g.familyLegs.isEmpty else { return }
        alignmentOnly(g, into: &f)
        for leg in g.familyLegs {
            inabilityAssumptions(g, leg: leg, into: &f)
            sandbaggingRoute(g, leg: leg, into: &f)
            harmInabilityMonitoring(g, leg: leg, into: &f)
            harmControlAssumptions(g, leg: leg, into: &f)
        }
        outcomeCoverage(g, into: &f)
        multiAgentDeployment(g, into: &f)
    }

    static func catalogID(_ g: ArgumentGraph, _ i: Int) -> String { g.nodes[i].scheming.catalog ?? g.nodes[i].id }

    /// Assumptions in scope of a leg: attached to its claim, to an ancestor, or to a claim
    /// or strategy below it (the argument for the claim rests on them too).
    public static func scope(of leg: Int, in g: ArgumentGraph) -> [Int] {
        let below = g.reachable(from: [leg], via: .support)
        let above = g.reachable(from: [leg], via: .supportParents)
        var assumptions = Set<Int>()
        for i in g.nodes.indices where below[i] || above[i] {
            for j in g.context[i] where g.nodes[j].type == .assumption { assumptions.insert(j) }
        }
        return assumptions.sorted()
    }

    /// H01: alignment legs only support.
    static func alignmentOnly(_ g: ArgumentGraph, into f: inout FindingList) {
        guard let r = g.root else { return }
        let families = g.familyLegs.compactMap { g.nodes[$0].scheming.family }
        guard families.contains(where: \.isAlignment), !families.contains(where: \.isCore) else { return }
        f.emit(Rules.alignmentOnlySupport, g.nodes[r].location,
               "the root \(g.describe(r)) rests only on alignment legs (\(g.familyLegs.map { g.nodes[$0].id }.joined(separator: ", "))); alignment arguments may only support",
               hint: "add a Scheming Inability, Harm Inability or Harm Control leg", node: g.nodes[r].id)
    }

    /// H02: an inability leg has capability-evaluation assumptions CE-1 … CE-6 in scope.
    static func inabilityAssumptions(_ g: ArgumentGraph, leg: Int, into f: inout FindingList) {
        guard let family = g.nodes[leg].scheming.family, family.isInability else { return }
        let ids = Set(scope(of: leg, in: g).map { catalogID(g, $0) })
        let missing = (1...6).map { "CE-\($0)" }.filter { !ids.contains($0) }
        guard !missing.isEmpty else { return }
        f.emit(Rules.inabilityAssumptions, g.nodes[leg].location,
               "the \(family.rawValue.replacingOccurrences(of: "_", with: " ")) leg '\(g.nodes[leg].id)' lacks capability-evaluation assumption\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) in scope",
               hint: "attach them with `in_context_of` (see templates/scheming/capability-evals.yaml)", node: g.nodes[leg].id)
    }

    /// H03: an inability leg says how sandbagging is ruled out, by a route (SB-a, SB-b or
    /// SB-c) whose prerequisite claims exist.
    static func sandbaggingRoute(_ g: ArgumentGraph, leg: Int, into f: inout FindingList) {
        guard g.nodes[leg].scheming.family?.isInability == true else { return }
        let routes = scope(of: leg, in: g).filter { ["SB-a", "SB-b", "SB-c"].contains(catalogID(g, $0)) }
        let grounded = routes.filter { g.dependsOn[$0].count == g.nodes[$0].scheming.dependsOn.count }
        guard grounded.isEmpty else { return }
        let id = g.nodes[leg].id
        f.emit(Rules.sandbaggingRoute, g.nodes[leg].location,
               routes.isEmpty
                   ? "the leg '\(id)' does not say how sandbagging is ruled out: no route SB-a, SB-b or SB-c is in scope"
                   : "the sandbagging routes in scope of '\(id)' (\(routes.map { g.nodes[$0].id }.joined(separator: ", "))) rest on claims that do not exist",
               hint: "argue no sandbagging by inability (SB-a), monitoring (SB-b) or prevention (SB-c)", node: id)
    }

    /// H06: a harm-inability leg that relies on deployment monitoring is a harm-control argument.
    static func harmInabilityMonitoring(_ g: ArgumentGraph, leg: Int, into f: inout FindingList) {
        guard g.nodes[leg].scheming.family == .harmInability else { return }
        let below = g.reachable(from: [leg], via: .support)
        guard let e = g.nodes.indices.first(where: { below[$0] && (g.nodes[$0].evidence?.accepts.contains { $0.value == "deployment_monitoring" } ?? false) })
        else { return }
        f.emit(Rules.harmInabilityMonitoring, g.nodes[e].location,
               "harm-inability leg '\(g.nodes[leg].id)' relies on deployment monitoring (evidence '\(g.nodes[e].id)'); that makes it a harm-control argument",
               hint: "tag the leg `family: harm_control` and give it HC-A1 … HC-A4", node: g.nodes[leg].id)
    }

    /// H04: a harm-control leg has HC-A1 … HC-A4 in scope.
    static func harmControlAssumptions(_ g: ArgumentGraph, leg: Int, into f: inout FindingList) {
        guard g.nodes[leg].scheming.family == .harmControl else { return }
        let ids = Set(scope(of: leg, in: g).map { catalogID(g, $0) })
        let missing = (1...4).map { "HC-A\($0)" }.filter { !ids.contains($0) }
        guard !missing.isEmpty else { return }
        f.emit(Rules.harmControlAssumptions, g.nodes[leg].location,
               "the harm control leg '\(g.nodes[leg].id)' lacks assumption\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) in scope",
               hint: "attach them with `in_context_of` (see templates/scheming/harm-control.yaml)", node: g.nodes[leg].id)
    }

    /// H05: every outcome the root's context lists is covered by a core leg.
    static func outcomeCoverage(_ g: ArgumentGraph, into f: inout FindingList) {
        guard let r = g.root else { return }
        var coreCovers = Set<String>(), alignmentCovers = Set<String>()
        for leg in g.familyLegs {
            let covers = g.nodes[leg].scheming.covers.map(\.value)
            if g.nodes[leg].scheming.family?.isCore == true { coreCovers.formUnion(covers) }
            if g.nodes[leg].scheming.family?.isAlignment == true { alignmentCovers.formUnion(covers) }
        }
        for ctx in g.context[r] where !g.nodes[ctx].scheming.outcomes.isEmpty {
            for outcome in g.nodes[ctx].scheming.outcomes where !coreCovers.contains(outcome.value) {
                let onlyAlignment = alignmentCovers.contains(outcome.value)
                f.emit(Rules.outcomeCoverage, outcome.location,
                       onlyAlignment
                           ? "outcome '\(outcome.value)' is covered only by alignment legs, which may only support"
                           : "outcome '\(outcome.value)' is covered by no core leg (no `covers:` names it)",
                       hint: "add it to the `covers:` of the Scheming Inability, Harm Inability or Harm Control leg that addresses it",
                       node: g.nodes[ctx].id, severity: onlyAlignment ? .warning : nil)
            }
        }
    }

    /// H07: the scheming templates assume a single model instance.
    static func multiAgentDeployment(_ g: ArgumentGraph, into f: inout FindingList) {
        let words = ["multi-agent", "multiple agents", "multiple instances", "parallel instances", "many instances", "multi-instance"]
        for node in g.nodes where node.type == .context {
            let text = node.text?.value.lowercased() ?? ""
            if let w = words.first(where: { text.contains($0) }) {
                f.emit(Rules.multiAgentDeployment, node.location,
                       "context '\(node.id)' describes a deployment with \(w); the scheming templates assume a single model instance",
                       node: node.id)
            }
        }
    }
}
