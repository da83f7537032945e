import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WarrantCore
import WarrantEvidence
import WarrantJSON
@testable import WarrantReport

final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let f = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: f)
        return f.path
    }
}

/// Analyses a case whose evidence nodes listed in `passing` pass.
func analyse(_ path: String, level: GateLevel = .draft, passing: Set<String> = []) throws -> CaseAnalysis {
    let loaded = try CaseLoader().load(paths: [path])[0]
    var assessment = EvidenceAssessment()
    for node in loaded.assuranceCase.nodes where node.type == .evidence {
        assessment.states[node.id] = passing.contains(node.id) ? .passing : .missing("test")
    }
    let report = Checker.check(loaded, options: CheckOptions(level: level, evidenceStatus: assessment.statusFunction, today: "2026-11-26"))
    return CaseAnalysis(loaded: loaded, report: report, evidence: assessment)
}

let sampleCase = """
warrant: 1
case: { id: sample, title: A sample case }
nodes:
  G1: { type: claim, text: "The model is safe \\"enough\\" | here", supported_by: [S1], in_context_of: [C1] }
  C1: { type: context, text: the deployment }
  S1: { type: strategy, text: Argument over two legs, supported_by: [G2, G3], in_context_of: [A1] }
  G2: { type: claim, family: harm_control, text: "control holds | really", supported_by: [E1] }
  G3: { type: claim, text: not capable, undeveloped: true }
  E1: { type: evidence, text: a control evaluation, require: ["upper_bound < 0.01"] }
  A1: { type: assumption, text: the red team is strong, gate: blocking, research: open_problem, discharged_by: [E1] }
  D1: { type: defeater, text: the protocol may differ, challenges: ["G2 -> E1"], undeveloped: true }
"""

@Suite("Markdown report")
struct MarkdownReportTests {
    @Test("every section is there, and the same inputs give the same bytes")
    func sections() throws {
        let dir = try Scratch()
        let path = try dir.write("case.yaml", sampleCase)
        let a = try analyse(path, passing: ["E1"])
        let text = MarkdownReport(analysis: a).render()
        for heading in ["# Safety case report: A sample case", "## Argument", "```mermaid", "## Legs", "## Assumption ledger",
                        "## Defeater ledger", "## Evidence", "## Completeness", "## Findings"] {
            #expect(text.contains(heading), "missing \(heading)")
        }
        #expect(text.contains("| `A1` | blocking | open problem | 🟢 discharged | `E1` |"))
        #expect(text.contains("| `D1` | `G2 -> E1` | 🟡 open |"))
        #expect(text.contains("\\|"), "pipes are escaped in table cells")
        #expect(text.contains("n0[\"G1: The model is safe #quot;enough#quot; | here\"]"))
        #expect(text.contains("n7{{\"D1: the protocol may differ ◇\"}}"))
        #expect(text.contains("n7 --x n5"))
        #expect(text == MarkdownReport(analysis: try analyse(path, passing: ["E1"])).render())
    }

    @Test("the audit section names every case file with the SHA-256 of its bytes, the rules, the day and the store")
    func audit() throws {
        let dir = try Scratch()
        let path = try dir.write("case.yaml", sampleCase.replacingOccurrences(of: "title: A sample case }", with: "title: A sample case, uses: [more.yaml] }"))
        let more = try dir.write("more.yaml", "warrant: 1\nmodule: { id: more }\nnodes:\n  C9: { type: context, text: extra }\n")
        let loaded = try CaseLoader().load(paths: [path])[0]
        let report = Checker.check(loaded, options: CheckOptions(level: .draft, today: "2026-11-26"))
        var assessment = EvidenceAssessment()
        assessment.store = .init(store: "s.sqlite", records: 2, head: String(repeating: "ab", count: 32), pinned: false)
        let text = MarkdownReport(analysis: CaseAnalysis(loaded: loaded, report: report, evidence: assessment, evaluationDay: "2026-11-26")).render()
        #expect(text.contains("## Audit"))
        for file in [path, more] {
            let sha = try Hashing.sha256Hex(fileAt: file)
            #expect(text.contains("| `\(file)` | `\(sha)` |"), "\(file) with its hash")
        }
        #expect(text.contains("| **Evaluated on** | 2026-11-26"))
        #expect(text.contains("| **Rule catalogue** | \(Rules.all.count) rules, SHA-256 `"))
        #expect(text.contains("2 records, head `\(String(repeating: "ab", count: 32))`; the hash chain verified"))
        #expect(text.contains("| **Findings** | 1 error, ") || text.contains("errors, "), "counts are plural only when they should be")
        #expect(!text.contains(" 1 errors") && !text.contains(" 1 warnings") && !text.contains(" 1 notes"))
    }

    @Test("numbers a person reads have four significant digits, more only where a threshold needs them", arguments: [
        (0.08071976124999546, nil as Double?, "0.08072"), (13.0, nil, "13"), (0.050000001, 0.05, "0.050000001"),
        (0.0500001, 0.05, "0.0500001"), (0.049999, 0.05, "0.049999"), (1234567.5, nil, "1.235e+06"), (Double.nan, nil, "NaN"),
        (-0.25, nil, "-0.25"), (0.05, 0.05, "0.05"),
    ])
    func displayNumbers(value: Double, threshold: Double?, expected: String) {
        #expect(DisplayNumber.format(value, distinctFrom: threshold) == expected)
    }

    @Test("a large case gets one diagram per leg")
    func perLeg() throws {
        let dir = try Scratch()
        for file in TemplateLibrary.files(ofSet: "scheming") {
            try dir.write(file.path, Templates.substitute(["model": "m", "deployment": "d"], in: file.text) + "\n")
        }
        let a = try analyse(dir.url.appendingPathComponent("case.yaml").path)
        let text = MarkdownReport(analysis: a).render()
        #expect(text.contains("### Overview"))
        #expect(text.contains("### Leg `SI.G`") && text.contains("### Leg `HC.G`"))
        #expect(text.components(separatedBy: "```mermaid").count - 1 == 1 + a.legs.count)
    }

    @Test("the SAE frontier plot draws one series per loss, deterministically")
    func plot() {
        func record(_ loss: String, l0: Double, kl: Double) -> EvidenceRecord {
            var r = EvidenceRecord(kind: "interpretability.sae", producer: .init(tool: "t", version: "0", time: "2026-11-26T00:00:00Z"))
            r.configuration = ["loss": .string(loss)]
            r.metrics = ["l0": .init(l0), "kl": .init(kl)]
            return r
        }
        let records = [record("local", l0: 30, kl: 0.2), record("local", l0: 12, kl: 0.5), record("e2e", l0: 8, kl: 0.05), record("e2e", l0: 4, kl: 0.09)]
        let svg = SAEFrontierPlot().svg(records: records)
        #expect(svg?.components(separatedBy: "<polyline").count == 3)
        #expect(svg?.contains(">e2e</text>") == true && svg?.contains(">local</text>") == true)
        #expect(svg == SAEFrontierPlot().svg(records: records.reversed()))
        #expect(SAEFrontierPlot().svg(records: []) == nil)
    }
}

@Suite("CI formats")
struct CIFormatTests {
    func failingAnalysis() throws -> CaseAnalysis {
        let dir = try Scratch()
        let path = try dir.write("case.yaml", sampleCase + "\n  X1: { type: claim, text: stray, suported_by: [G1] }\n")
        return try analyse(path, level: .release)
    }

    @Test("SARIF names the tool, the rules and each finding's location")
    func sarif() throws {
        let a = try failingAnalysis()
        let log = try JSONValue.parse(SARIF.render([a]))
        #expect(log["version"] == .string("2.1.0"))
        let run = try #require(log["runs"]?.array?.first)
        #expect(run["tool"]?["driver"]?["name"] == .string("warrant"))
        #expect(run["tool"]?["driver"]?["rules"]?.array?.count == Rules.all.count)
        let results = try #require(run["results"]?.array)
        let unknownKey = try #require(results.first { $0["ruleId"] == .string("F03") })
        #expect(unknownKey["level"] == .string("error"))
        let region = unknownKey["locations"]?.array?.first?["physicalLocation"]?["region"]
        #expect(region?["startLine"] == .number(12))
        #expect(region?["startColumn"] == .number(35))
    }

    @Test("JUnit has a test case per gate criterion and one per finding, with its file and line")
    func junit() throws {
        let analysis = try failingAnalysis()
        let xml = JUnit.render([analysis])
        #expect(xml.hasPrefix("<?xml"))
        #expect(xml.contains("<testcase classname=\"warrant.gate\" name=\"format\">"))
        #expect(xml.contains("<testcase classname=\"warrant.gate\" name=\"scheming\"/>"))
        #expect(xml.contains("<testcase classname=\"F03\" name=\"F03 unknown-key"))
        #expect(xml.contains(" line=\""))
        let cases = xml.components(separatedBy: "<testcase ").count - 1
        #expect(cases == Rule.Family.allCases.count + analysis.report.findings.count)
        #expect(XMLParser(data: Data(xml.utf8)).parse())
    }

    @Test("GitHub annotations escape their text and stay within GitHub's limits")
    func github() throws {
        let dir = try Scratch()
        var nodes = "  G0: { type: claim, text: top, supported_by: [" + (1...15).map { "G\($0)" }.joined(separator: ", ") + "] }\n"
        for k in 1...15 { nodes += "  G\(k): { type: claim, text: \"a, b: c\" }\n" }
        let path = try dir.write("case.yaml", "warrant: 1\ncase: { id: x }\nnodes:\n" + nodes)
        let out = GitHubAnnotations.render([try analyse(path)])
        let errors = out.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(errors.count == GitHubAnnotations.perLevelLimit)
        #expect(errors[0].contains("file=") && errors[0].contains(",line=") && errors[0].contains(",col="))
        #expect(errors[0].contains("title=S09 undeveloped-leaf"))
        #expect(out.contains("::notice title=warrant::5 more findings"))
        // The five past GitHub's limit are still in the log, as plain lines; no job summary is claimed.
        #expect(out.split(separator: "\n").filter { $0.contains(": error[S09]: ") }.count == 5, "\(out)")
        #expect(out.contains("they are printed above\n"))
        #expect(!out.contains("job summary"))
        #expect(GitHubAnnotations.render([try analyse(path)], hasJobSummary: true).contains("printed above and in the job summary"))
        #expect(GitHubAnnotations.property("a,b:c%\n") == "a%2Cb%3Ac%25%0A")
    }
}

@Suite("Case diff")
struct DiffTests {
    @Test("one assumption discharged and one claim added: exactly those changes")
    func diff() throws {
        let dir = try Scratch()
        let v1 = """
        warrant: 1
        case: { id: d }
        nodes:
          G1: { type: claim, text: top, supported_by: [S1] }
          S1: { type: strategy, text: over legs, supported_by: [G2], in_context_of: [A1] }
          G2: { type: claim, text: leg one, supported_by: [E1] }
          E1: { type: evidence, text: eval one }
          A1: { type: assumption, text: the evals are valid }
        """
        let v2 = v1.replacingOccurrences(of: "A1: { type: assumption, text: the evals are valid }",
                                         with: "A1: { type: assumption, text: the evals are valid, discharged_by: [E1] }")
            .replacingOccurrences(of: "supported_by: [G2], in_context_of", with: "supported_by: [G2, G3], in_context_of")
            + "\n  G3: { type: claim, text: leg two, supported_by: [E1] }\n"
        let old = try analyse(dir.write("v1.yaml", v1), passing: ["E1"])
        let new = try analyse(dir.write("v2.yaml", v2), passing: ["E1"])
        let diff = CaseDiff(old: old, new: new)
        #expect(diff.text() == """
        + claim G3 added under S1: leg two
        ~ assumption A1 discharged by E1 (open → discharged); as a result: strategy S1 open → supported, claim G1 open → supported

        """)
        #expect(diff.markdown().contains("- + claim `G3` added under `S1`: leg two"))
        #expect(CaseDiff(old: old, new: old).isEmpty)
    }

    @Test("an evidence node's changed source, max_age or accepts is a change", arguments: [
        ("E1: { type: evidence, text: eval one, source: { inspect: a.json } }", "E1: { type: evidence, text: eval one, source: { inspect: b.json } }",
         "source: inspect a.json → inspect b.json"),
        ("E1: { type: evidence, text: eval one, eval: { method: lib } }", "E1: { type: evidence, text: eval one, eval: { method: lib, fold_bias: true } }",
         "source: eval {method: lib} → eval {method: lib, fold_bias: true}"),
        ("E1: { type: evidence, text: eval one, record: abc }", "E1: { type: evidence, text: eval one, record: abc, max_age: 30d }",
         "max_age none → 30d"),
    ])
    func evidenceSource(before: String, after: String, expected: String) throws {
        let dir = try Scratch()
        let head = "warrant: 1\ncase: { id: d }\nnodes:\n  G1: { type: claim, text: top, supported_by: [E1] }\n  "
        let old = try analyse(dir.write("v1.yaml", head + before + "\n"))
        let new = try analyse(dir.write("v2.yaml", head + after + "\n"))
        let text = CaseDiff(old: old, new: new).text()
        #expect(text.contains(expected), "\(text)")
    }
}

@Suite("Polytope plot")
struct PolytopePlotTests {
    @Test("the boundary-density plot draws same- and different-label profiles")
    func densityPlot() {
        var r = EvidenceRecord(kind: "interpretability.polytope", producer: .init(tool: "t", version: "0", time: "2026-11-26T00:00:00Z"))
        r.configuration = ["layer": .string("input")]
        for b in 0..<10 {
            r.metrics["density_profile_same_\(b)"] = .init(Double(b))
            r.metrics["density_profile_different_\(b)"] = .init(Double(10 - b))
        }
        let svg = BoundaryDensityPlot().svg(records: [r])
        #expect(svg?.components(separatedBy: "<polyline").count == 3)
        #expect(svg?.contains("same label (input)") == true)
        #expect(BoundaryDensityPlot().svg(records: []) == nil)
    }
}

@Suite("LIB plot")
struct LIBPlotTests {
    @Test("the node-ablation plot draws one curve per basis and layer")
    func ablationPlot() {
        var r = EvidenceRecord(kind: "interpretability.lib", producer: .init(tool: "t", version: "0", time: "2026-11-26T00:00:00Z"))
        for k in [1, 2, 5, 10] {
            r.metrics["lib.hidden.0.ablation_k\(k)"] = .init(Double(k) / 10)
            r.metrics["pca.hidden.0.ablation_k\(k)"] = .init(Double(k) / 20)
        }
        let svg = LIBAblationPlot().svg(records: [r])
        #expect(svg?.components(separatedBy: "<polyline").count == 3)
        #expect(svg?.contains(">lib.hidden.0</text>") == true)
    }

    @Test("the spectrum plot draws the importance share of each hidden layer's basis, not the input's")
    func spectrumPlot() {
        var r = EvidenceRecord(kind: "interpretability.lib", producer: .init(tool: "t", version: "0", time: "2026-11-26T00:00:00Z"))
        for k in [1, 2, 4, 8] {
            r.metrics["lib.hidden.0.importance_share_k\(k)"] = .init(min(1, Double(k) / 4))
            r.metrics["pca.hidden.0.importance_share_k\(k)"] = .init(Double(k) / 8)
            r.metrics["lib.input.importance_share_k\(k)"] = .init(Double(k) / 8)
        }
        let svg = LIBSpectrumPlot().svg(records: [r])
        #expect(svg?.components(separatedBy: "<polyline").count == 3)
        #expect(svg?.contains(">pca.hidden.0</text>") == true)
        #expect(svg?.contains("lib.input") == false)
        #expect(LIBSpectrumPlot().svg(records: []) == nil)
    }
}

@Suite("Chart axes")
struct ChartAxisTests {
    @Test("ticks are round numbers covering the data, not padded past it (regression: -11.75)", arguments: [
        (1.0, 256.0, [0.0, 100, 200, 300, 400]),
        (0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1]),
        (0.03, 1.0, [0.0, 0.25, 0.5, 0.75, 1]),
        (8.2, 17.3, [7.5, 10, 12.5, 15, 17.5]),
        (5.0, 5.0, [4.0, 4.5, 5, 5.5, 6]),
        (-3.0, 2.0, [-4.0, -2, 0, 2, 4]),
    ])
    func niceTicks(lo: Double, hi: Double, expected: [Double]) {
        let ticks = SVGChart.niceTicks(lo, hi)
        #expect(ticks.count == 5)
        #expect(ticks.first! <= lo && ticks.last! >= hi)
        for (t, e) in zip(ticks, expected) { #expect(abs(t - e) < 1e-9, "\(ticks)") }
    }

    @Test("a log-scale axis ticks at powers of two", arguments: [
        (0.0, 8.0, [0.0, 1, 2, 3, 4, 5, 6, 7, 8]),
        (0.0, 3.5, [0.0, 1, 2, 3, 4]),
        (0.0, 16.0, [0.0, 2, 4, 6, 8, 10, 12, 14, 16]),
    ])
    func powerOfTwoTicks(lo: Double, hi: Double, expected: [Double]) {
        #expect(SVGChart.powerOfTwoTicks(lo, hi) == expected)
    }
}
