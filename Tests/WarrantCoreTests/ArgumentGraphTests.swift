import Foundation
import Testing
@testable import WarrantCore

/// Loads a one-file case with the given `nodes:` body and resolves it into a graph,
/// keeping what resolving said.
func graph(_ nodes: String) throws -> (graph: ArgumentGraph, findings: FindingList) {
    let dir = try ScratchDirectory()
    let path = try dir.write("case.yaml", "warrant: 1\ncase: { id: t }\nnodes:\n\(nodes)")
    let loaded = try CaseLoader().load(paths: [path])[0]
    var findings = FindingList(level: .draft)
    let g = ArgumentGraph.resolve(loaded.assuranceCase, into: &findings)
    return (g, findings)
}

extension ArgumentGraph {
    func ids(_ indices: [Int]) -> [String] { indices.map { nodes[$0].id } }
    func at(_ id: String) -> Int { nodes.firstIndex { $0.id == id } ?? -1 }
}

@Suite("The argument graph")
struct ArgumentGraphTests {
    @Test("links resolve to edges in the order written; broken ones are left out and reported")
    func edges() throws {
        let (g, f) = try graph("""
          G1: { type: claim, text: a, supported_by: [S1, E1, E1, X9, G1], in_context_of: [C1, A1] }
          S1: { type: strategy, text: b, supported_by: [E1] }
          E1: { type: evidence, text: c }
          C1: { type: context, text: d }
          A1: { type: assumption, text: e, discharged_by: [E1, C1] }
          D1: { type: defeater, text: f, challenges: "G1 -> S1", undeveloped: true }
        """)
        #expect(g.ids(g.support[g.at("G1")]) == ["S1", "E1"])
        #expect(g.ids(g.context[g.at("G1")]) == ["C1", "A1"])
        #expect(g.ids(g.discharge[g.at("A1")]) == ["E1"])  // a context does not discharge
        #expect(g.ids(g.challengers[g.at("G1")]) == ["D1"])
        #expect(g.ids(g.supportParents[g.at("E1")]) == ["G1", "S1"])
        #expect(g.incomplete[g.at("G1")])  // X9 and itself
        #expect(!g.incomplete[g.at("S1")])
        let rules = Set(f.findings.map(\.rule))
        #expect(rules == [Rules.duplicateReference.id, Rules.unresolvedReference.id, Rules.supportCycle.id,
                          Rules.dischargeLink.id, Rules.strategyToEvidence.id])
        // G1 names itself, so it is referred to and no node is a root; the defeater never is.
        #expect(g.rootCandidates.isEmpty && g.root == nil)
    }

    @Test("Tarjan's components, singletons included, over a graph with two cycles",
          arguments: [
            ([[1], [2], [0], [4], [3], []], [[0, 1, 2], [3, 4], [5]]),
            ([[], [], []], [[0], [1], [2]]),
            ([[1], [0, 2], [2]], [[0, 1], [2]]),
          ])
    func components(edges: [[Int]], expected: [[Int]]) {
        let found = ArgumentGraph.stronglyConnectedComponents(edges).map { $0.sorted() }.sorted { $0[0] < $1[0] }
        #expect(found == expected)
    }

    @Test("a shortest cycle through the start, within the members",
          arguments: [
            // 0 → 1 → 2 → 0 and 0 → 3 → 0: the short way round.
            ([[1, 3], [2], [0], [0]], Set([0, 1, 2, 3]), [0, 3]),
            ([[1, 3], [2], [0], [0]], Set([0, 1, 2]), [0, 1, 2]),
            ([[1], []], Set([0, 1]), [0]),
          ])
    func shortestCycle(edges: [[Int]], members: Set<Int>, expected: [Int]) {
        #expect(ArgumentGraph.shortestCycle(from: 0, within: members, edges: edges) == expected)
    }

    @Test("a support cycle is one component, and its nodes are not roots")
    func supportCycles() throws {
        let (g, _) = try graph("""
          G1: { type: claim, text: a, supported_by: [G2] }
          G2: { type: claim, text: b, supported_by: [G3] }
          G3: { type: claim, text: c, supported_by: [G2, E1] }
          E1: { type: evidence, text: d }
        """)
        #expect(g.supportCycles.map { g.ids($0.sorted()) } == [["G2", "G3"]])
        #expect(g.ids(g.rootCandidates) == ["G1"])
    }

    @Test("reachability and pre-order follow only the edges asked for")
    func traversal() throws {
        let (g, _) = try graph("""
          G1: { type: claim, text: a, supported_by: [G2, G3], in_context_of: [A1] }
          G2: { type: claim, text: b, supported_by: [E1] }
          G3: { type: claim, text: c, supported_by: [E2] }
          A1: { type: assumption, text: d, discharged_by: [E3] }
          E1: { type: evidence, text: e }
          E2: { type: evidence, text: f }
          E3: { type: evidence, text: g }
          Z1: { type: claim, text: stray, undeveloped: true }
        """)
        let bySupport = g.reachable(from: [g.at("G1")], via: .support)
        #expect(g.nodes.indices.filter { bySupport[$0] }.map { g.nodes[$0].id } == ["G1", "G2", "G3", "E1", "E2"])
        #expect(g.ids(g.preorder(from: g.at("G1"), via: [.support, .context, .discharge])) == ["G1", "G2", "E1", "G3", "E2", "A1", "E3"])
        let up = g.reachable(from: [g.at("E2")], via: .supportParents)
        #expect(g.nodes.indices.filter { up[$0] }.map { g.nodes[$0].id } == ["G1", "G3", "E2"])
        // Two roots: no single root, so everything counts as in the argument.
        #expect(g.root == nil && g.inArgument.allSatisfy { $0 })
    }

    @Test("legs are the first family-tagged claims below the root, in reading order")
    func familyLegs() throws {
        let (g, _) = try graph("""
          ROOT: { type: claim, text: safe, supported_by: [S] }
          S: { type: strategy, text: by legs, supported_by: [HC, MID, AL] }
          MID: { type: claim, text: untagged, supported_by: [SI] }
          SI: { type: claim, family: scheming_inability, text: cannot scheme, supported_by: [SUB] }
          SUB: { type: claim, family: harm_inability, text: below a leg, undeveloped: true }
          HC: { type: claim, family: harm_control, text: controlled, undeveloped: true }
          AL: { type: claim, family: alignment_evaluation, text: aligned, undeveloped: true }
        """)
        #expect(g.ids(g.familyLegs) == ["HC", "SI", "AL"])
        #expect(g.ids(g.legs) == ["HC", "SI", "AL"])
    }

    @Test("with no family tagged, the legs are the root's supporters, through a single strategy",
          arguments: [
            ("  ROOT: { type: claim, text: r, supported_by: [S] }\n  S: { type: strategy, text: s, supported_by: [A, B] }\n", ["A", "B"]),
            ("  ROOT: { type: claim, text: r, supported_by: [B, A] }\n", ["B", "A"]),
          ])
    func structuralLegs(top: String, expected: [String]) throws {
        let (g, _) = try graph(top + "  A: { type: claim, text: a, undeveloped: true }\n  B: { type: claim, text: b, undeveloped: true }\n")
        #expect(g.familyLegs.isEmpty)
        #expect(g.ids(g.legs) == expected)
    }
}

@Suite("Rules as functions over the graph")
struct RuleFunctionTests {
    @Test("S01 and S02 read the root candidates", arguments: [
        ("  G1: { type: claim, text: a, undeveloped: true }\n", [String]()),
        ("  G1: { type: claim, text: a, undeveloped: true }\n  G2: { type: claim, text: b, undeveloped: true }\n", ["S01"]),
        ("  S1: { type: strategy, text: a, supported_by: [G1] }\n  G1: { type: claim, text: b, undeveloped: true }\n", ["S02"]),
    ])
    func roots(nodes: String, rules: [String]) throws {
        let g = try graph(nodes).graph
        var f = FindingList(level: .draft)
        StructureRules.roots(g, into: &f)
        #expect(f.findings.map(\.rule) == rules)
    }

    @Test("S07 reports each support cycle once, with a note at every link")
    func cycles() throws {
        let (g, _) = try graph("""
          G1: { type: claim, text: a, supported_by: [G2] }
          G2: { type: claim, text: b, supported_by: [G3] }
          G3: { type: claim, text: c, supported_by: [G2] }
        """)
        var f = FindingList(level: .draft)
        StructureRules.supportCycles(g, into: &f)
        #expect(f.findings.count == 1)
        #expect(f.findings.first?.message.hasSuffix("G2 -> G3 -> G2") == true)
        #expect(f.findings.first?.notes.count == 2)
    }

    @Test("a node's status from its inputs", arguments: [
        // (type written, inputs, expected)
        ("claim", StatusRollUp.Inputs(support: [.supported, .supported]), NodeStatus.supported),
        ("claim", StatusRollUp.Inputs(support: [.supported, .open]), .open),
        ("claim", StatusRollUp.Inputs(support: [.supported], assumptions: [.defeated]), .defeated),
        ("claim", StatusRollUp.Inputs(support: [.supported], challengers: [.open]), .open),
        ("claim", StatusRollUp.Inputs(support: [.supported], challengers: [.supported]), .defeated),
        ("claim", StatusRollUp.Inputs(support: [.supported], challengers: [.defeated]), .supported),
        ("assumption", StatusRollUp.Inputs(dischargers: [.supported]), .supported),
        ("assumption", StatusRollUp.Inputs(dischargers: [.supported, .open]), .open),
    ])
    func status(type: String, inputs: StatusRollUp.Inputs, expected: NodeStatus) throws {
        let body = type == "assumption"
            ? "  N: { type: assumption, text: x, discharged_by: [E1] }\n  E1: { type: evidence, text: e }\n"
            : "  N: { type: claim, text: x, supported_by: [E1] }\n  E1: { type: evidence, text: e }\n"
        let (g, _) = try graph(body)
        let node = g.nodes[g.at("N")]
        #expect(StatusRollUp.status(of: node, inputs, incomplete: false, waived: false, evidenceStatus: { _ in .open }) == expected)
    }

    @Test("k of n alternatives: a choice node is supported by k, defeated when fewer than k remain viable",
          arguments: [([NodeStatus.supported, .open], NodeStatus.supported), ([.open, .open], .open),
                      ([.defeated, .open], .open), ([.defeated, .defeated], .defeated)])
    func choice(children: [NodeStatus], expected: NodeStatus) throws {
        let (g, _) = try graph("""
          N: { type: claim, text: x, choice: { min: 1 }, supported_by: [E1, E2] }
          E1: { type: evidence, text: a }
          E2: { type: evidence, text: b }
        """)
        let inputs = StatusRollUp.Inputs(support: children)
        let status = StatusRollUp.status(of: g.nodes[g.at("N")], inputs, incomplete: false, waived: false, evidenceStatus: { _ in .open })
        #expect(status == expected)
    }

    @Test("a waiver in force makes an open assumption supported; an expired one is A03 and leaves it open")
    func waivers() throws {
        let (g, _) = try graph("""
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1, A2] }
          E1: { type: evidence, text: b }
          A1: { type: assumption, text: c, waiver: { by: Jo, reason: accepted, until: 2027-01-01 } }
          A2: { type: assumption, text: d, waiver: { by: Jo, reason: accepted, until: 2026-01-01 } }
        """)
        var f = FindingList(level: .release)
        let waived = AssumptionRules.waivers(g, today: "2026-12-01", into: &f)
        #expect(waived[g.at("A1")] && !waived[g.at("A2")])
        #expect(f.findings.map(\.rule) == [Rules.expiredWaiver.id])
        let statuses = StatusRollUp.statuses(g, waived: waived, evidenceStatus: { _ in .supported })
        #expect(statuses[g.at("A1")] == .supported && statuses[g.at("A2")] == .open && statuses[g.at("G1")] == .open)
        #expect(AssumptionRules.status(g.at("A1"), g, statuses: statuses, waived: waived) == .waived)
    }

    @Test("A05 finds an assumption discharged by a claim that rests on it")
    func circularDischarge() throws {
        let (g, _) = try graph("""
          G1: { type: claim, text: a, supported_by: [G2], in_context_of: [A1] }
          G2: { type: claim, text: b, supported_by: [E1] }
          E1: { type: evidence, text: c }
          A1: { type: assumption, text: d, discharged_by: [G1] }
        """)
        var f = FindingList(level: .draft)
        AssumptionRules.circularDischarge(g, into: &f)
        #expect(f.findings.map(\.rule) == [Rules.circularDischarge.id])
        #expect(f.findings.first?.message.contains("A1 -> G1 -> A1") == true)
    }

    @Test("a leg's scope holds assumptions above it, on it and below it, not beside it")
    func scope() throws {
        let (g, _) = try graph("""
          ROOT: { type: claim, text: r, supported_by: [L1, L2], in_context_of: [A-top] }
          L1: { type: claim, family: scheming_inability, text: l1, supported_by: [SUB], in_context_of: [A-l1] }
          SUB: { type: claim, text: s, undeveloped: true, in_context_of: [A-sub] }
          L2: { type: claim, family: harm_control, text: l2, undeveloped: true, in_context_of: [A-l2] }
          A-top: { type: assumption, text: a }
          A-l1: { type: assumption, text: b }
          A-sub: { type: assumption, text: c }
          A-l2: { type: assumption, text: d }
        """)
        #expect(g.ids(SchemingRules.scope(of: g.at("L1"), in: g)) == ["A-top", "A-l1", "A-sub"])
        #expect(g.ids(SchemingRules.scope(of: g.at("L2"), in: g)) == ["A-top", "A-l2"])
    }
}

@Suite("Placeholders")
struct PlaceholderScannerTests {
    @Test("names once each, occurrences with repeats; letters, digits, _ and - only", arguments: [
        ("{model} and {model}", ["model"], ["model", "model"]),
        ("{deploy-target} in {a_b}", ["deploy-target", "a_b"], ["deploy-target", "a_b"]),
        ("{not a name} {} {x", [], []),
    ])
    func scan(text: String, names: [String], occurrences: [String]) {
        #expect(PlaceholderScanner.names(in: text) == names)
        #expect(PlaceholderScanner.occurrences(in: text) == occurrences)
    }
}

@Suite("More rules as functions over the graph")
struct MoreRuleFunctionTests {
    /// The rule ids one rule function adds for a case body.
    func rules(_ nodes: String, level: GateLevel = .draft, _ rule: (ArgumentGraph, inout FindingList) -> Void) throws -> [String] {
        let g = try graph(nodes).graph
        var f = FindingList(level: level)
        rule(g, &f)
        return f.findings.map(\.rule)
    }

    @Test("S08: a node the root does not reach")
    func reachability() throws {
        let found = try rules("""
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b }
          C9: { type: context, text: stray }
        """, StructureRules.reachability)
        // C9 is not referred to, so it is a second root candidate: reachable from itself.
        #expect(found.isEmpty)
        let cycle = try rules("""
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b }
          G2: { type: claim, text: c, supported_by: [G3] }
          G3: { type: claim, text: d, supported_by: [G2] }
        """, StructureRules.reachability)
        #expect(cycle == ["S08", "S08"])
    }

    @Test("S09–S12: development, locally and transitively", arguments: [
        ("  G1: { type: claim, text: a }\n", ["S09"]),
        ("  G1: { type: claim, text: a, undeveloped: true }\n", ["S10"]),
        ("  G1: { type: claim, text: a, undeveloped: true, supported_by: [E1] }\n  E1: { type: evidence, text: b }\n", ["S12"]),
        ("  G1: { type: claim, text: a, supported_by: [G2] }\n  G2: { type: claim, text: b, undeveloped: true }\n", ["S10", "S11"]),
        ("  G1: { type: claim, text: a, supported_by: [E1] }\n  E1: { type: evidence, text: b }\n", []),
    ])
    func development(nodes: String, expected: [String]) throws {
        #expect(try rules(nodes, StructureRules.development).sorted() == expected)
    }

    @Test("S16: placeholders in node texts and the case header")
    func placeholders() throws {
        let g = try graph("  G1: { type: claim, text: \"{model} is safe in {deployment}\", undeveloped: true }\n").graph
        var f = FindingList(level: .release)
        StructureRules.placeholders(g, header: nil, into: &f)
        #expect(f.findings.map(\.rule) == ["S16"])
        #expect(f.findings.first?.message.contains("{model}, {deployment}") == true)
        #expect(f.findings.first?.severity == Rules.placeholder.severity(at: .release))
    }

    @Test("A01/A02: only at release, only assumptions in the argument, blocking or warning by gate")
    func openAssumptions() throws {
        let g = try graph("""
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1, A2] }
          E1: { type: evidence, text: b }
          A1: { type: assumption, text: c }
          A2: { type: assumption, text: d, gate: warning }
        """).graph
        let waived = [Bool](repeating: false, count: g.nodes.count)
        let statuses = StatusRollUp.statuses(g, waived: waived, evidenceStatus: { _ in .supported })
        for (level, expected) in [(GateLevel.draft, [String]()), (.release, ["A01", "A02"])] {
            var f = FindingList(level: level)
            AssumptionRules.openAtRelease(g, statuses: statuses, waived: waived, into: &f)
            #expect(f.findings.map(\.rule).sorted() == expected)
        }
    }

    @Test("H01, H02, H04, H05 on tagged legs; H07 on a multi-instance deployment")
    func scheming() throws {
        let found = try rules("""
          ROOT: { type: claim, text: safe, supported_by: [AL, HC], in_context_of: [C-out, C-dep] }
          C-out: { type: context, text: outcomes, outcomes: [exfiltration, sabotage] }
          C-dep: { type: context, text: the model runs as many instances in parallel }
          AL: { type: claim, family: alignment_evaluation, text: aligned, covers: [sabotage], undeveloped: true }
          HC: { type: claim, family: harm_control, text: controlled, covers: [exfiltration], undeveloped: true }
        """, SchemingRules.all)
        // H04: the harm-control leg lacks HC-A1..4; H05: sabotage only by alignment (a warning);
        // H07: many instances. H01 needs every core leg missing, which HC is not.
        #expect(found.sorted() == ["H04", "H05", "H07"])
        let alignmentOnly = try rules("""
          ROOT: { type: claim, text: safe, supported_by: [AL] }
          AL: { type: claim, family: alignment_evaluation, text: aligned, undeveloped: true }
        """, SchemingRules.all)
        #expect(alignmentOnly == ["H01"])
        let inability = try rules("""
          ROOT: { type: claim, text: safe, supported_by: [SI] }
          SI: { type: claim, family: scheming_inability, text: cannot scheme, undeveloped: true }
        """, SchemingRules.all)
        #expect(inability.sorted() == ["H02", "H03"])
    }
}
