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
