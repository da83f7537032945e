import Foundation
import Testing
@testable import WarrantEvals
import WarrantNumerics

/// A small ReLU MLP whose hidden activations the SAEs read.
func smallModel() -> (MLP<Float>, Matrix<Float>, [Int]) {
    var g = SeededGenerator(seed: 11)
    let model = MLP<Float>.initialized(.standard(sizes: [6, 8, 8, 5], activation: .relu), generator: &g)
    let x = Matrix<Float>(rows: 200, cols: 6, storage: (0..<1200).map { _ in Float(g.uniform(-1, 1)) })
    let labels = (0..<200).map { $0 % 5 }
    return (model, x, labels)
}

@Suite("SAE known-answer tests (interp-methods.md §5.1)")
struct SAEKnownAnswerTests {
    @Test("S1: the identity SAE on non-negative activations is perfect")
    func identity() {
        let (model, x, labels) = smallModel()
        let sae = SparseAutoencoder(encoderWeight: .identity(8), encoderBias: [Float](repeating: 0, count: 8),
                                    decoderWeight: .identity(8), decoderBias: [Float](repeating: 0, count: 8))
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: x, labels: labels)
        #expect(abs(e["explained_variance"]! - 1) < 1e-9)
        #expect(e["mse"]! == 0)
        #expect(abs(e["kl"]!) < 1e-9)
        #expect(abs(e["ce_increase"]!) < 1e-9)
        #expect(abs(e["ce_score"]! - 1) < 1e-9)
        #expect(abs(e["kl_score"]! - 1) < 1e-9)
        let h = model.forward(x)["hidden.0"]!
        #expect(abs(e["l0"]! - Double(h.storage.filter { $0 > 0 }.count) / 200) < 1e-9)
    }

    @Test("S2: an SAE that outputs the dataset mean has pooled EV 0")
    func constantMean() {
        let (model, x, _) = smallModel()
        let h = model.forward(x)["hidden.0"]!
        let mean = Kernels.columnSums(h).map { $0 / 200 }
        let sae = SparseAutoencoder(encoderWeight: Matrix(rows: 8, cols: 8), encoderBias: [Float](repeating: -1, count: 8),
                                    decoderWeight: .identity(8), decoderBias: mean)
        let e = SAEMetrics.evaluate(sae, activations: h)
        #expect(abs(e["explained_variance"]!) < 1e-6)
        #expect(e["l0"] == 0 && e["dead_heldout"] == 8)
    }

    @Test("the identity SAE: LN explained variance and cosine similarity 1, statistical distance 0")
    func identityExtras() {
        let (model, x, labels) = smallModel()
        let sae = SparseAutoencoder(encoderWeight: .identity(8), encoderBias: [Float](repeating: 0, count: 8),
                                    decoderWeight: .identity(8), decoderBias: [Float](repeating: 0, count: 8))
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: x, labels: labels)
        #expect(abs(e["explained_variance_ln"]! - 1) < 1e-9)
        #expect(abs(e["cosine_similarity"]! - 1) < 1e-6)
        #expect(abs(e["statistical_distance"]!) < 1e-9)
        #expect(abs(e["relative_reconstruction_bias"]! - 1) < 1e-9)
    }

    @Test("a ratio with a zero denominator is undefined (NaN, said why), never a perfect score")
    func degenerate() {
        // A model whose hidden layer feeds nothing: zero-ablating it changes no output, so the
        // KL and CE scores have zero denominators; constant activations have no variance.
        var g = SeededGenerator(seed: 2)
        var model = MLP<Float>.initialized(.standard(sizes: [4, 3, 2], activation: .relu), generator: &g)
        model.weights[1] = Matrix(rows: model.weights[1].rows, cols: model.weights[1].cols)
        let x = Matrix<Float>(rows: 20, cols: 4, storage: (0..<80).map { _ in Float(g.uniform(-1, 1)) })
        let sae = SparseAutoencoder(encoderWeight: .identity(3), encoderBias: [0, 0, 0], decoderWeight: .identity(3), decoderBias: [0, 0, 0])
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: x, labels: (0..<20).map { $0 % 2 })
        for name in ["kl_score", "ce_score"] {
            #expect(e[name]?.isNaN == true, "\(name) = \(String(describing: e[name]))")
            #expect(e.metrics[name]?.definition.contains("(undefined: ") == true)
        }
        let constant = Matrix<Float>(rows: 10, cols: 3, storage: [Float](repeating: 0.5, count: 30))
        let flat = SAEMetrics.evaluate(sae, activations: constant)
        #expect(flat["explained_variance"]?.isNaN == true && flat["explained_variance_per_token"]?.isNaN == true)
    }

    @Test("alive and dead count over the training window; the held-out counts keep their own names")
    func aliveWindow() {
        let (model, x, labels) = smallModel()
        // With the identity SAE, feature i is alive exactly where hidden unit i fires.
        let h = model.forward(x)["hidden.0"]!
        let sae = SparseAutoencoder(encoderWeight: .identity(8), encoderBias: [Float](repeating: 0, count: 8),
                                    decoderWeight: .identity(8), decoderBias: [Float](repeating: 0, count: 8))
        let heldOut = x.rows(0..<10), window = x
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: heldOut, labels: Array(labels[0..<10]), trainingWindow: window)
        let aliveInWindow = (0..<8).filter { i in (0..<h.rows).contains { h[$0, i] > 0 } }.count
        let aliveHeldOut = (0..<8).filter { i in (0..<10).contains { h[$0, i] > 0 } }.count
        #expect(e["alive"] == Double(aliveInWindow) && e["alive_heldout"] == Double(aliveHeldOut))
        #expect(e.metrics["alive"]?.definition == "alive.active_at_least_once_over_200_training_tokens")
    }

    @Test("S3: an SAE whose output is zero scores 0 on CE and KL")
    func zeroOutput() {
        let (model, x, labels) = smallModel()
        let sae = SparseAutoencoder(encoderWeight: Matrix(rows: 8, cols: 8), encoderBias: [Float](repeating: -1, count: 8),
                                    decoderWeight: .identity(8), decoderBias: [Float](repeating: 0, count: 8))
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: x, labels: labels)
        #expect(abs(e["ce_score"]!) < 1e-9)
        #expect(abs(e["kl_score"]!) < 1e-9)
    }

    @Test("S4: KL is KL(original ‖ new)")
    func klDirection() {
        #expect(abs(SAEMetrics.kl([0.5, 0.5], [0.9, 0.1]) - 0.5108256) < 1e-7)
        #expect(abs(SAEMetrics.kl([0.9, 0.1], [0.5, 0.5]) - 0.3680642) < 1e-7)
        // The logits form agrees, and its gradient is (q − p)/N.
        let p = Matrix<Float>([[log(0.5), log(0.5)]]), q = Matrix<Float>([[log(0.9), log(0.1)]])
        let (kl, grad) = SAEMetrics.klDivergence(original: p, new: q)
        #expect(abs(kl - 0.5108256) < 1e-6)
        #expect(abs(Double(grad[0, 0]) - 0.4) < 1e-6)
    }

    @Test("S5: the learning-rate schedule", arguments: [(0, 0.0), (1250, 5e-4), (13125, 2.75e-4), (25000, 5e-5)])
    func schedule(step: Int, expected: Double) {
        let s = LearningRateSchedule(peak: 5e-4, warmupSteps: 1250, totalSteps: 25000)
        #expect(abs(s.rate(at: step) - expected) < 1e-12)
    }

    @Test("S6: scaling a raw decoder column does not change the output")
    func normalisation() {
        var g = SeededGenerator(seed: 3)
        var sae = SparseAutoencoder.initialized(inputDimension: 8, dictionarySize: 12, generator: &g)
        let x = Matrix<Float>(rows: 20, cols: 8, storage: (0..<160).map { _ in Float(g.uniform(-1, 1)) })
        let before = sae.reconstruct(x).reconstruction
        for r in 0..<8 { sae.decoderWeight[r, 5] *= 7.5 }
        #expect(sae.reconstruct(x).reconstruction.maxAbsDifference(before) < 1e-5)
        #expect(abs(sae.dictionaryRows.row(5).map { $0 * $0 }.reduce(0, +) - 1) < 1e-5)
    }

    @Test("S7: the loss terms on a hand batch")
    func lossTerms() {
        var settings = SAETrainingSettings()
        settings.lambda = 2
        let trainer = SAETrainer(settings: settings, layer: "input")
        // Identity dictionary of size 2 in d = 2; encoder passes the input through.
        let p = SAETrainer.Parameters(we: .identity(2), be: [0, 0], wdRows: .identity(2), bd: [0.5, 0])
        let a = Matrix<Float>([[1, 0], [0, 3]])
        let (terms, _) = trainer.lossAndGradients(p, a: a)
        // c = a, â = a + (0.5, 0): MSE over all 4 elements = (0.25 + 0.25) / 4.
        #expect(abs(terms.mse - 0.125) < 1e-9)
        // (λ/d)·mean_t Σ_i c_ti = (2/2)·(1 + 3)/2.
        #expect(abs(terms.sparsity - 2) < 1e-9)
        #expect(terms.l0 == 1)
    }

    @Test("the SAE's gradient, through the decoder normalisation, matches finite differences")
    func gradient() {
        var g = SeededGenerator(seed: 5)
        let sae = SparseAutoencoder.initialized(inputDimension: 4, dictionarySize: 6, generator: &g)
        let a = Matrix<Float>(rows: 5, cols: 4, storage: (0..<20).map { _ in Float(g.uniform(0, 1)) })
        var settings = SAETrainingSettings()
        settings.lambda = 0.5
        let trainer = SAETrainer(settings: settings, layer: "input")
        let p = SAETrainer.Parameters(we: sae.encoderWeight, be: sae.encoderBias, wdRows: sae.decoderWeight.transposed, bd: sae.decoderBias)
        let (_, grads) = trainer.lossAndGradients(p, a: a)
        func loss(_ q: SAETrainer.Parameters) -> Double { trainer.lossAndGradients(q, a: a).0.total }
        let eps: Float = 1e-2
        for k in 0..<p.wdRows.count {
            var plus = p, minus = p
            plus.wdRows.storage[k] += eps
            minus.wdRows.storage[k] -= eps
            let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
            #expect(abs(Double(grads.wdRows.storage[k]) - numeric) < 2e-3, "decoder \(k)")
        }
        for k in 0..<p.we.count {
            var plus = p, minus = p
            plus.we.storage[k] += eps
            minus.we.storage[k] -= eps
            let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
            #expect(abs(Double(grads.we.storage[k]) - numeric) < 2e-3, "encoder \(k)")
        }
    }

    @Test("S8: a synthetic dictionary is recovered (MMCS ≥ 0.95 at λ = 0.1)")
    func dictionaryRecovery() {
        let (data, truth) = SyntheticData.sparseFeatures(dimension: 32, features: 64, probability: 0.05, samples: 50_000, seed: 0)
        var s = SAETrainingSettings()
        s.dictionarySize = 64
        s.lambda = 0.1
        s.learningRate = 1e-3
        s.batchSize = 256
        s.steps = 6000
        s.warmupSteps = 0
        let (sae, _) = SAETrainer(settings: s, layer: "input").train(activations: data)
        let mmcs = SAEMetrics.meanMaxCosine(truth: truth, learned: sae.dictionaryRows)
        #expect(mmcs >= 0.95, "MMCS \(mmcs)")
    }

    @Test("S9: at equal λ the e2e SAE ignores the nuisance, with lower KL and L0 than the local SAE")
    func functionalVersusNuisance() {
        let (data, readout) = SyntheticData.functionalAndNuisance(samples: 20_000, seed: 0)
        var s = SAETrainingSettings()
        s.dictionarySize = 64
        s.lambda = 0.3
        s.learningRate = 1e-3
        s.batchSize = 256
        s.steps = 6000
        s.warmupSteps = 0
        var results: [SAELoss: SAEEvaluation] = [:]
        for loss in [SAELoss.local, .e2e] {
            s.loss = loss
            let (sae, _) = SAETrainer(settings: s, layer: "input").train(model: readout, inputs: data)
            results[loss] = SAEMetrics.evaluate(sae, model: readout, layer: "input", inputs: data.rows(0..<5000), labels: nil)
        }
        let local = results[.local]!, e2e = results[.e2e]!
        #expect(e2e["kl"]! < local["kl"]!, "KL e2e \(e2e["kl"]!) local \(local["kl"]!)")
        #expect(e2e["l0"]! < local["l0"]!, "L0 e2e \(e2e["l0"]!) local \(local["l0"]!)")
        #expect(abs(e2e["mse"]! - 0.5) < 0.08, "e2e MSE \(e2e["mse"]!)")
    }
}

@Suite("SAELens layout")
struct SAEFileTests {
    @Test("an SAE Warrant writes reads back, in SAELens's 6.x layout, as the same SAE")
    func roundTrip() throws {
        var g = SeededGenerator(seed: 1)
        let sae = SparseAutoencoder.initialized(inputDimension: 5, dictionarySize: 7, generator: &g)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-sae-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try sae.write(to: dir, hookName: "hidden.0")
        let back = try SAELensSAE.read(from: dir)
        #expect(back.hookName == "hidden.0" && back.configLayout == "6.x" && back.architecture == .standard)
        #expect(!back.applyDecoderBiasToInput)
        let x = Matrix<Float>(rows: 3, cols: 5, storage: (0..<15).map { _ in Float(g.uniform(-1, 1)) })
        #expect(back.reconstruct(x).reconstruction.maxAbsDifference(sae.reconstruct(x).reconstruction) < 1e-5)
    }
}
