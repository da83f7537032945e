/// Rules that know what a sound scheming safety case must contain (Balesni et al.
/// 2024; `safety-cases.md` §6.3 rules 37–43). Legs are recognised by `family:`
/// on their top claims; assumptions by their `catalog:` id (or their node id).
extension CheckRun {
    /// The legs: the first family-tagged claims below the root.
    func legs() -> [Int] {
        guard let r = rootIndex else { return [] }
        var seen = Set([r])
        var stack = [r]
        var result: [Int] = []
        while let i = stack.popLast() {
            if i != r, nodes[i].scheming.family != nil, nodes[i].type == .claim {
                result.append(i)
                continue
            }
            for j in support[i] where !seen.contains(j) {
                seen.insert(j)
                stack.append(j)
            }
        }
        return result.sorted()
    }

    /// Assumptions in scope of a claim: attached to it, to an ancestor, or to a claim or
    /// strategy below it (the argument for the claim rests on them too).
    func scope(of leg: Int) -> [Int] {
        var nodesInScope = Set([leg])
        var stack = [leg]
        while let i = stack.popLast() {  // descendants
            for j in support[i] where !nodesInScope.contains(j) { nodesInScope.insert(j); stack.append(j) }
        }
        stack = [leg]
        var up = Set([leg])
        while let i = stack.popLast() {  // ancestors
            for p in supportParents[i] where !up.contains(p) { up.insert(p); stack.append(p) }
        }
        nodesInScope.formUnion(up)
        var assumptions = Set<Int>()
        for i in nodesInScope {
            for j in context[i] where nodes[j].type == .assumption { assumptions.insert(j) }
        }
        return assumptions.sorted()
    }

    func catalogID(_ i: Int) -> String { nodes[i].scheming.catalog ?? nodes[i].id }

    mutating func checkSchemingRules() {
        guard let r = rootIndex, !gsn else { return }
        let legs = self.legs()
        guard !legs.isEmpty else { return }
        let families = legs.compactMap { nodes[$0].scheming.family }

        // H01: alignment legs only support.
        if families.contains(where: \.isAlignment) && !families.contains(where: \.isCore) {
            emit(Rules.alignmentOnlySupport, nodes[r].location,
                 "the root \(describe(nodes[r])) rests only on alignment legs (\(legs.map { nodes[$0].id }.joined(separator: ", "))); alignment arguments may only support",
                 hint: "add a Scheming Inability, Harm Inability or Harm Control leg", node: nodes[r].id)
        }

        for leg in legs {
            guard let family = nodes[leg].scheming.family else { continue }
            let inScope = scope(of: leg)
            let ids = Set(inScope.map(catalogID))
            if family.isInability {
                // H02: CE-1 … CE-6.
                let missing = (1...6).map { "CE-\($0)" }.filter { !ids.contains($0) }
                if !missing.isEmpty {
                    emit(Rules.inabilityAssumptions, nodes[leg].location,
                         "the \(family.rawValue.replacingOccurrences(of: "_", with: " ")) leg '\(nodes[leg].id)' lacks capability-evaluation assumption\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) in scope",
                         hint: "attach them with `in_context_of` (see templates/scheming/capability-evals.yaml)", node: nodes[leg].id)
                }
                // H03: a sandbagging route whose prerequisites exist.
                let routes = inScope.filter { ["SB-a", "SB-b", "SB-c"].contains(catalogID($0)) }
                let grounded = routes.filter { dependsOn[$0].count == nodes[$0].scheming.dependsOn.count }
                if grounded.isEmpty {
                    emit(Rules.sandbaggingRoute, nodes[leg].location,
                         routes.isEmpty
                            ? "the leg '\(nodes[leg].id)' does not say how sandbagging is ruled out: no route SB-a, SB-b or SB-c is in scope"
                            : "the sandbagging routes in scope of '\(nodes[leg].id)' (\(routes.map { nodes[$0].id }.joined(separator: ", "))) rest on claims that do not exist",
                         hint: "argue no sandbagging by inability (SB-a), monitoring (SB-b) or prevention (SB-c)", node: nodes[leg].id)
                }
                // H06: harm inability relying on deployment monitoring.
                if family == .harmInability {
                    var below = Set([leg]), stack = [leg]
                    while let i = stack.popLast() { for j in support[i] where !below.contains(j) { below.insert(j); stack.append(j) } }
                    if let e = below.sorted().first(where: { nodes[$0].evidence?.accepts.contains { $0.value == "deployment_monitoring" } ?? false }) {
                        emit(Rules.harmInabilityMonitoring, nodes[e].location,
                             "harm-inability leg '\(nodes[leg].id)' relies on deployment monitoring (evidence '\(nodes[e].id)'); that makes it a harm-control argument",
                             hint: "tag the leg `family: harm_control` and give it HC-A1 … HC-A4", node: nodes[leg].id)
                    }
                }
            }
            if family == .harmControl {
                // H04: HC-A1 … HC-A4.
                let missing = (1...4).map { "HC-A\($0)" }.filter { !ids.contains($0) }
                if !missing.isEmpty {
                    emit(Rules.harmControlAssumptions, nodes[leg].location,
                         "the harm control leg '\(nodes[leg].id)' lacks assumption\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) in scope",
                         hint: "attach them with `in_context_of` (see templates/scheming/harm-control.yaml)", node: nodes[leg].id)
                }
            }
        }

        // H05: every outcome covered by a core leg.
        let outcomeContexts = context[r].filter { !nodes[$0].scheming.outcomes.isEmpty }
        var coreCovers = Set<String>(), alignmentCovers = Set<String>()
        for leg in legs {
            let covers = nodes[leg].scheming.covers.map(\.value)
            if nodes[leg].scheming.family?.isCore == true { coreCovers.formUnion(covers) }
            if nodes[leg].scheming.family?.isAlignment == true { alignmentCovers.formUnion(covers) }
        }
        for ctx in outcomeContexts {
            for outcome in nodes[ctx].scheming.outcomes where !coreCovers.contains(outcome.value) {
                let onlyAlignment = alignmentCovers.contains(outcome.value)
                emit(Rules.outcomeCoverage, outcome.location,
                     onlyAlignment
                        ? "outcome '\(outcome.value)' is covered only by alignment legs, which may only support"
                        : "outcome '\(outcome.value)' is covered by no core leg (no `covers:` names it)",
                     hint: "add it to the `covers:` of the Scheming Inability, Harm Inability or Harm Control leg that addresses it",
                     node: nodes[ctx].id, severity: onlyAlignment ? .warning : nil)
            }
        }

        // H07: multi-instance deployments.
        let words = ["multi-agent", "multiple agents", "multiple instances", "parallel instances", "many instances", "multi-instance"]
        for i in nodes.indices where nodes[i].type == .context {
            let text = nodes[i].text?.value.lowercased() ?? ""
            if let w = words.first(where: { text.contains($0) }) {
                emit(Rules.multiAgentDeployment, nodes[i].location,
                     "context '\(nodes[i].id)' describes a deployment with \(w); the scheming templates assume a single model instance",
                     node: nodes[i].id)
            }
        }
    }
}

extension TemplateLibrary {
    /// The assumptions a template set requires, by catalogue id (nil if no such set).
    public static func requiredAssumptions(ofSet name: String) -> [(catalog: String, text: String?)]? {
        let root = virtualPath(name + "/case")
        guard let text = text(virtualPath: root) else { return nil }
        let loader = CaseLoader()
        let loaded = loader.loadWarrant(rootPath: root, parsed: loader.compose(bytes: Array(text.utf8), path: root), rootFromLibrary: true)
        return loaded.assuranceCase.nodes.filter { $0.type == .assumption }
            .map { ($0.scheming.catalog ?? $0.id, $0.text?.value) }
    }
}
