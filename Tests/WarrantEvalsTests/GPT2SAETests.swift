import Foundation
import Testing
import WarrantJSON
@testable import WarrantEvals
import WarrantNumerics

/// e2e SAEs at GPT-2 hooks against torch autograd: the loss and its gradient with respect
/// to every SAE parameter, through `transformers`' own GPT-2 with the reconstruction
/// spliced in (Fixtures/gpt2-sae/make_gpt2_sae_fixture.py).
@Suite("e2e SAEs on GPT-2 against torch autograd")
struct GPT2SAETests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gpt2-sae")
    static let gpt2 = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../WarrantNumericsTests/Fixtures/gpt2/tied-gelu-new").standardizedFileURL

    static func tokens() throws -> TokenBatch {
        let json = try JSONValue.parse(Array(Data(contentsOf: gpt2.appendingPathComponent("tokens.json"))))
        let ids = (json["tokens"]?.array ?? []).compactMap { $0.number.map { Int32($0) } }
        return try #require(TokenBatch(tokens: ids, sequences: Int(json["sequences"]?.number ?? 0), context: Int(json["context"]?.number ?? 0)))
    }

    @Test("the e2e and e2e+ds losses and their gradients match torch autograd to 1e-4 relative",
          arguments: ["resid-post-e2e-ds", "mlp-post-e2e"])
    func lossGradients(name: String) throws {
        let cases = try JSONValue.parse(Array(Data(contentsOf: Self.fixtures.appendingPathComponent("cases.json"))))
        let spec = try #require(cases[name])
        let hook = try #require(spec["hook"]?.string)
        var settings = SAETrainingSettings()
        settings.loss = try #require(spec["loss"]?.string.flatMap(SAELoss.init(rawValue:)))
        settings.lambda = try #require(spec["lambda"]?.number)
        settings.beta = try #require(spec["beta"]?.number)
        let model = try GPT2.load(folder: Self.gpt2.appendingPathComponent("model").path)
        let batch = try Self.tokens()
        let downstream = settings.loss == .e2eDownstream ? model.downstreamHooks(after: hook) : []
        #expect(downstream == (spec["downstream"]?.array ?? []).compactMap(\.string))
        let clean = model.forward(batch, replacing: [:])
        let file = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("\(name).safetensors").path)
        let p = SAETrainer.Parameters(we: try file.matrix("we"), be: try file.values("be"), wdRows: try file.matrix("wd_rows"), bd: try file.values("bd"))
        let trainer = SAETrainer(settings: settings, layer: hook)
        let e2e = SAETrainer.EndToEndBatch(model: model, inputs: batch, cleanLogits: clean.logits,
                                           cleanDownstream: downstream.compactMap { h in clean[hook: h].map { (h, $0) } },
                                           keeping: model.hooksNeeded(forGradientAt: hook).map { $0.union(downstream) })
        let (terms, grads) = trainer.lossAndGradients(p, a: try #require(clean[hook: hook]), endToEnd: e2e)
        let loss: [Float] = try file.values("loss")
        #expect(abs(terms.total - Double(loss[0])) <= 1e-5 * abs(Double(loss[0])), "loss \(terms.total) against \(loss[0])")
        func compare(_ have: [Float], _ key: String) throws {
            let want: [Float] = try file.values("grad." + key)
            #expect(have.count == want.count, "\(key): size")
            let scale = want.map { abs(Double($0)) }.max() ?? 0
            let error = zip(have, want).map { abs(Double($0) - Double($1)) }.max() ?? .infinity
            #expect(scale > 0 && error <= 1e-4 * scale, "\(key): max error \(error) at scale \(scale)")
        }
        try compare(grads.we.storage, "we")
        try compare(grads.be, "be")
        try compare(grads.wdRows.storage, "wd_rows")
        try compare(grads.bd, "bd")
    }
}

/// SAEs saved by SAELens at GPT-2 hooks, evaluated by Warrant on the held-out sequences and
/// by SAELens's own evaluation functions on a TransformerLens model of the same weights
/// (Fixtures/saelens-gpt2/make_saelens_gpt2_fixture.py).
@Suite("SAELens SAEs at GPT-2 hooks against SAELens's own metrics")
struct SAELensGPT2Tests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/saelens-gpt2")

    /// Warrant's name for each SAELens metric, and the factor between them (SAELens's `mse`
    /// sums over the activation's width; Warrant's is the element mean).
    static let names: [(saelens: String, warrant: String, factor: Double)] = [
        ("kl_div_with_sae", "kl", 1), ("kl_div_with_ablation", "kl_ablation", 1), ("kl_div_score", "kl_score", 1),
        ("ce_loss_with_sae", "ce_sae", 1), ("ce_loss_without_sae", "ce_clean", 1), ("ce_loss_with_ablation", "ce_ablation", 1),
        ("ce_loss_score", "ce_score", 1), ("l0", "l0", 1), ("l1", "l1", 1), ("explained_variance", "explained_variance", 1),
        ("explained_variance_legacy", "explained_variance_per_token", 1), ("cossim", "cosine_similarity", 1),
        ("l2_ratio", "l2_ratio", 1), ("relative_reconstruction_bias", "relative_reconstruction_bias", 1),
    ]

    @Test("every metric SAELens reports agrees to 1e-4 relative (its two scores to float32 error over their denominators)", arguments: ["standard-resid-pre", "topk-mlp-post"])
    func metrics(name: String) throws {
        let folder = Self.fixtures.appendingPathComponent(name).path
        let model = GPT2SAETests.gpt2.appendingPathComponent("model").path
        let result = try SAERun.evaluateSAELens(saeDirectory: folder, layer: nil, modelConfigPath: model,
                                                dataPath: Self.fixtures.appendingPathComponent("tokens.npy").path, producer: .init(tool: "warrant", version: "test", time: "2026-12-01T00:00:00Z"))
        let expected = try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))))
        // SAELens computes KL and cross-entropy in float32, Warrant in Float64 from the same
        // float32 logits: the two scores divide by differences of those (KL_ablation,
        // CE_ablation − CE_clean), so they may differ by float32's error over that denominator.
        func number(_ key: String) -> Double { expected[key]?.number ?? .nan }
        let conditioning = [
            "kl_div_score": abs(number("kl_div_with_ablation")),
            "ce_loss_score": abs(number("ce_loss_with_ablation") - number("ce_loss_without_sae")),
        ]
        for (saelens, warrant, factor) in Self.names {
            let want = try #require(expected[saelens]?.number, "\(saelens) in expected.json")
            let have = try #require(result.evaluation[warrant], "\(warrant) in Warrant's evaluation")
            let float32 = conditioning[saelens].map { 2e-6 * (1 + abs(want)) / $0 } ?? 0
            #expect(abs(have * factor - want) <= 1e-4 * max(1, abs(want)) + float32, "\(warrant) \(have) against SAELens's \(saelens) \(want)")
        }
        let width = Double(result.sae.inputDimension)
        let mse = try #require(expected["mse"]?.number)
        #expect(abs(try #require(result.evaluation["mse"]) * width - mse) <= 1e-4 * max(1, mse))
        #expect(result.evaluation.tokens == 32, "2 held-out sequences of 16")
    }
}
