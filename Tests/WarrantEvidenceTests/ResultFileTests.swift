import Foundation
import Testing
import WarrantJSON
@testable import WarrantCore
@testable import WarrantEvidence

/// Result files of other evaluation tools imported as derived evidence
/// (Fixtures/results: see its README for how each file was made).
@Suite("Result files: lm-evaluation-harness, SAEBench, SAELens evals")
struct ResultFileTests {
    static func fixture(_ name: String) -> String { Fixtures.tests.appendingPathComponent("Fixtures/results/\(name)").path }

    func record(_ name: String, _ format: ResultFileImporter.Format) throws -> EvidenceRecord {
        var options = InspectImporter.Options()
        options.kind = "eval"
        return try ResultFileImporter.record(fromFileAt: Self.fixture(name), format: format, options: options, producer: testProducer)
    }

    @Test("SAEBench: every category/metric, the eval type as method, the SAE and the run's time")
    func saeBench() throws {
        let r = try record("saebench-core.json", .saeBench)
        #expect(r.metrics["model_behavior_preservation/kl_div_score"]?.value == 0.9871)
        #expect(r.metrics["sparsity/l0"]?.value == 68.7188)
        #expect(r.method == .init(name: "saebench:core", version: "5ad5a1c"))
        #expect(r.subject?.name == "gpt2-small-res-jb/blocks.8.hook_resid_pre")
        #expect(r.source?["created"]?.string == "2025-11-27T13:26:40Z")
        #expect(r.source?["type"]?.string == "saebench" && r.effectiveProvenance == .derived)
    }

    @Test("SAELens evals: -1 (its NaN) is undefined; no time, so the record cannot be judged fresh")
    func saeLens() throws {
        let r = try record("saelens-evals.json", .saeLens)
        #expect(r.metrics["reconstruction_quality/explained_variance"]?.value == 0.8097)
        #expect(r.metrics["variance/explained_variance_std"]?.value.isNaN == true)
        #expect(r.metrics["variance/explained_variance_std"]?.definition?.contains("undefined") == true)
        #expect(r.source?["created"] == nil)
        #expect(Freshness.judge(r, maxAge: nil, now: Date()) == .invalidTime(field: "source.created", problem: "the record has no creation time"))
    }

    @Test("a file of another shape than its format says is refused, saying what it lacks", arguments: [
        ("saebench-core.json", ResultFileImporter.Format.saeLens, "not a SAELens"),
        ("saelens-evals.json", .lmEval, "not an lm-evaluation-harness"),
        ("saelens-evals.json", .saeBench, "not a SAEBench"),
    ])
    func wrongFormat(file: String, format: ResultFileImporter.Format, message: String) {
        #expect { try record(file, format) } throws: { "\($0)".contains(message) }
    }

    @Test("a case linking a SAEBench file: missing until imported, then passing; a changed file is stale")
    func caseLink() throws {
        let dir = try Scratch()
        try dir.write("model.bin", "weights v1")
        let result = try dir.write("saebench.json", String(contentsOfFile: Self.fixture("saebench-core.json"), encoding: .utf8))
        let path = try dir.write("case.yaml", """
        warrant: 1
        case:
          id: t
          system: { model: { path: model.bin } }
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1:
            type: evidence
            text: b
            source: { saebench: saebench.json }
            accepts: [interpretability.sae]
            require: ["model_behavior_preservation/kl_div_score >= 0.95"]
        """)
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        func states() throws -> EvidenceState? {
            let loaded = try CaseLoader().load(paths: [path])[0]
            return try EvidenceAssessor(store: store, level: .release).assess(loaded).states["E1"]
        }
        guard case .missing? = try states() else { Issue.record("expected missing"); return }
        var options = InspectImporter.Options()
        options.kind = "interpretability.sae"
        options.modelFile = dir.path("model.bin")
        try store.append(ResultFileImporter.record(fromFileAt: result, format: .saeBench, options: options, producer: testProducer))
        #expect(try states() == .passing)
        try dir.write("saebench.json", String(contentsOfFile: Self.fixture("saebench-core.json"), encoding: .utf8).replacingOccurrences(of: "0.9871", with: "0.9999"))
        guard case .stale? = try states() else { Issue.record("a changed file is stale: \(String(describing: try? states()))"); return }
    }
}

@Suite("Result files: lm-evaluation-harness")
struct LMEvalTests {
    @Test("a results file made by the harness: TASK/METRIC,FILTER with ±1.96 stderr, n-shot and version, git hash, date")
    func lmEval() throws {
        var options = InspectImporter.Options()
        options.kind = "capability_eval"
        let r = try ResultFileImporter.record(fromFileAt: ResultFileTests.fixture("lm-eval-results.json"), format: .lmEval,
                                              options: options, producer: testProducer)
        let acc = try #require(r.metrics["warrant_toy_mc/acc,none"])
        #expect(acc.value == 0.275)
        let se = 0.0714995069016527
        #expect(acc.interval == [0.275 - 1.96 * se, 0.275 + 1.96 * se])
        #expect(acc.definition?.contains("n-shot 0") == true && acc.definition?.contains("task version 1") == true)
        #expect(r.metrics.keys.sorted() == ["warrant_toy_mc/acc,none"], "alias, name and sample_len are not metrics")
        #expect(r.method?.name == "lm-eval:warrant_toy_mc" && r.source?["git_hash"]?.string == "5a5c8f6")
        #expect(r.source?["created"]?.string?.hasPrefix("2026-") == true)
        #expect(r.requirementValue("warrant_toy_mc/acc,none.upper") == .value(0.275 + 1.96 * se, definition: "the upper end of the interval of warrant_toy_mc/acc,none (\(acc.definition ?? ""))"))
    }
}
