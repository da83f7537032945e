import Foundation
import Testing
@testable import WarrantCore

@Suite("Assumptions: discharge, waivers, circular discharge")
struct AssumptionTests {
    func ledger(_ r: CheckReport, _ id: String) -> AssumptionEntry? { r.assumptions.first { $0.id == id } }

    @Test("waivers: valid, expired, incomplete")
    func waivers() throws {
        let nodes = """
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1, A2, A3] }
          E1: { type: evidence, text: b }
          A1: { type: assumption, text: c, waiver: { by: Jane Doe, reason: accepted for the pilot, until: "2027-01-31" } }
          A2: { type: assumption, text: d, waiver: { by: Jane Doe, reason: old decision, until: "2026-01-31" } }
          A3: { type: assumption, text: e, waiver: { by: Jane Doe, until: "2027-01-31" } }
        """
        let dir = try ScratchDirectory()
        let path = try dir.write("c.yaml", "warrant: 1\ncase: { id: t }\nnodes:\n" + nodes)
        let loaded = try CaseLoader().load(paths: [path])[0]
        let r = Checker.check(loaded, options: CheckOptions(level: .release, evidenceStatus: { _ in .supported }, today: "2026-11-26"))
        #expect(ledger(r, "A1")?.status == .waived)
        #expect(ledger(r, "A2")?.status == .open)
        #expect(ledger(r, "A2")?.waiverExpired == true)
        #expect(r.findings(Rules.expiredWaiver).first?.message.contains("expired on 2026-01-31") == true)
        #expect(r.findings(Rules.invalidWaiver).first?.message.contains("`reason`") == true)
        #expect(Set(r.findings(Rules.openBlockingAssumption).compactMap(\.node)) == ["A2", "A3"])
    }

    @Test("gates: blocking fails a release, warning is reported, neither matters in a draft")
    func gates() throws {
        let nodes = """
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1, A2] }
          E1: { type: evidence, text: b }
          A1: { type: assumption, text: c, gate: blocking, research: open_problem }
          A2: { type: assumption, text: d, gate: warning }
        """
        let release = try checkCase(nodes, level: .release, passing: ["E1"])
        #expect(release.findings(Rules.openBlockingAssumption).map(\.node) == ["A1"])
        #expect(release.findings(Rules.openBlockingAssumption).first?.message.contains("research: open problem") == true)
        #expect(release.findings(Rules.openWarningAssumption).first?.severity == .warning)
        let draft = try checkCase(nodes, level: .draft, passing: ["E1"])
        #expect(draft.findings(Rules.openBlockingAssumption).isEmpty)
        #expect(!draft.failed)
    }

    @Test("sandbagging argued only by monitoring that rests on the evaluations it protects is circular")
    func circularDischarge() throws {
        let nodes = """
          G-top: { type: claim, text: no catastrophe via scheming, supported_by: [SI.G] }
          SI.G: { type: claim, family: scheming_inability, text: cannot scheme, supported_by: [SI.1] }
          SI.1: { type: claim, text: cannot do hidden scheming reasoning, supported_by: [CE.G], in_context_of: [CE-6] }
          CE.G: { type: claim, text: eval results reflect the ceiling, supported_by: [E-evals] }
          E-evals: { type: evidence, text: scheming reasoning evals }
          CE-6: { type: assumption, text: no sandbagging, discharged_by: [SB.G] }
          SB.G: { type: claim, text: monitoring shows no sandbagging, supported_by: [E-monitor], in_context_of: [SB-b] }
          E-monitor: { type: evidence, text: monitor logs }
          SB-b: { type: assumption, text: no hidden reasoning, so monitoring works, depends_on: [SI.1] }
        """
        let r = try checkCase(nodes)
        let f = try #require(r.findings(Rules.circularDischarge).first, "\(r.findings.map(\.rule))")
        #expect(f.severity == .error)
        #expect(f.message.contains("CE-6 -> SB.G -> SB-b -> SI.1 -> CE-6"), "\(f.message)")
    }

    @Test("a second, independent route breaks the cycle when one route suffices")
    func choiceBreaksCycle() throws {
        let nodes = """
          G-top: { type: claim, text: no catastrophe via scheming, supported_by: [SI.G] }
          SI.G: { type: claim, family: scheming_inability, text: cannot scheme, supported_by: [SI.1] }
          SI.1: { type: claim, text: cannot do hidden scheming reasoning, supported_by: [CE.G], in_context_of: [CE-6] }
          CE.G: { type: claim, text: eval results reflect the ceiling, supported_by: [E-evals] }
          E-evals: { type: evidence, text: scheming reasoning evals }
          CE-6: { type: assumption, text: no sandbagging, discharged_by: [SB.S] }
          SB.S: { type: claim, text: at least one route shows no sandbagging, choice: { min: 1 }, supported_by: [SB.G, SB.C] }
          SB.G: { type: claim, text: monitoring shows no sandbagging, supported_by: [E-monitor], in_context_of: [SB-b] }
          SB.C: { type: claim, text: fine-tuning did not raise scores, supported_by: [E-ft], in_context_of: [SB-c] }
          E-monitor: { type: evidence, text: monitor logs }
          E-ft: { type: evidence, text: fine-tuning runs }
          SB-b: { type: assumption, text: no hidden reasoning, depends_on: [SI.1] }
          SB-c: { type: assumption, text: fine-tuning data is iid, discharged_by: [E-iid] }
          E-iid: { type: evidence, text: distribution checks }
        """
        let r = try checkCase(nodes)
        #expect(r.findings(Rules.circularDischarge).isEmpty, "\(r.findings(Rules.circularDischarge).map(\.message))")
        // One route suffices: with the fine-tuning evidence passing, the routes claim is supported.
        let passing = try checkCase(nodes, passing: ["E-ft", "E-evals", "E-iid"])
        #expect(passing.status(of: "SB.S") == .supported)
    }

    @Test("an alignment leg alone may not support the root")
    func alignmentOnly() throws {
        let r = try checkCase("""
          G-top: { type: claim, text: no catastrophe, supported_by: [S] }
          S: { type: strategy, text: argument over alignment, supported_by: [AL.G] }
          AL.G: { type: claim, family: alignment_evaluation, text: honeypots found nothing, supported_by: [E1] }
          E1: { type: evidence, text: honeypot evals }
        """)
        let f = try #require(r.findings(Rules.alignmentOnlySupport).first)
        #expect(f.node == "G-top")
        #expect(f.message.contains("AL.G"))
    }

    @Test("inability legs need CE-1 … CE-6 and a grounded sandbagging route; control legs HC-A1 … HC-A4; outcomes need a core leg")
    func schemingLegRules() throws {
        let r = try checkCase("""
          G-top: { type: claim, text: no catastrophe, supported_by: [SI.G, HC.G, AL.G], in_context_of: [C-out] }
          C-out: { type: context, text: outcomes, outcomes: [exfiltration, sabotage, persuasion] }
          SI.G: { type: claim, family: scheming_inability, covers: [exfiltration], text: a, supported_by: [E1], in_context_of: [CE-1, CE-2, SB-a] }
          HC.G: { type: claim, family: harm_control, covers: [sabotage], text: b, supported_by: [E2], in_context_of: [HC-A1] }
          AL.G: { type: claim, family: alignment_evaluation, covers: [persuasion], text: c, supported_by: [E3] }
          E1: { type: evidence, text: d }
          E2: { type: evidence, text: e }
          E3: { type: evidence, text: f }
          CE-1: { type: assumption, text: g }
          CE-2: { type: assumption, text: h }
          SB-a: { type: assumption, text: i, depends_on: [SI.G] }
          HC-A1: { type: assumption, text: j }
        """)
        #expect(r.findings(Rules.inabilityAssumptions).first?.message.contains("CE-3, CE-4, CE-5, CE-6") == true)
        #expect(r.findings(Rules.sandbaggingRoute).isEmpty)
        #expect(r.findings(Rules.harmControlAssumptions).first?.message.contains("HC-A2, HC-A3, HC-A4") == true)
        let coverage = r.findings(Rules.outcomeCoverage)
        #expect(coverage.count == 1)
        #expect(coverage.first?.severity == .warning)
        #expect(coverage.first?.message.contains("'persuasion' is covered only by alignment legs") == true)
        #expect(r.findings(Rules.alignmentOnlySupport).isEmpty)
    }
}
