import Foundation
import WarrantJSON

/// The worked transformer: a GPT-2-architecture model that learns (a + b) mod p from the
/// three tokens `a b =` (ids a, b and p), predicting the sum at the last position; trained
/// by Warrant from a seed, deterministically, and written as a Hugging Face folder
/// (config.json and model.safetensors under GPT-2's tensor names) so that `transformers`
/// loads it too. The default shape is rib's modular-addition transformer: one block,
/// width 128, 4 heads, MLP 512 (ReLU), p = 113.
public enum ModularAdditionTransformer {
    public struct Settings: Sendable, Equatable {
        public var modulus = 113
        public var layers = 1
        public var width = 128
        public var heads = 4
        public var mlpWidth = 512
        /// Share of all p² pairs used for training; the rest is held out.
        public var trainFraction = 0.5
        public var learningRate = 1e-3
        /// Decoupled (AdamW) weight decay on every weight; it is what makes the model
        /// generalise rather than memorise.
        public var weightDecay = 1.0
        /// Mini-batch size in pairs; 0 means the whole training set.
        public var batchSize = 0
        /// The most steps; training stops earlier at the first evaluation whose held-out
        /// accuracy reaches `targetAccuracy` (a deterministic rule, so the bytes still
        /// follow from the settings).
        public var steps = 3000
        public var targetAccuracy = 1.0
        public var seed: UInt64 = 0
        /// Held-out accuracy is measured every this many steps (and at the end).
        public var evaluateEvery = 100
        public init() {}
    }

    /// The model's config: vocabulary p + 1 (the numbers, then `=`), context 3, ReLU MLP.
    public static func config(_ s: Settings) -> GPT2Config {
        GPT2Config(vocabularySize: s.modulus + 1, positions: 3, width: s.width, layers: s.layers, heads: s.heads, mlpWidth: s.mlpWidth,
                   activation: .relu, layerNormEpsilon: 1e-5, scaleAttentionWeights: true, scaleByInverseLayerIndex: false,
                   tiedUnembedding: false)
    }

    /// Every pair as a sequence `a b =`, pair index a·p + b, and its label (a + b) mod p.
    public static func tokens(modulus p: Int) -> (batch: TokenBatch, labels: [Int]) {
        var ids: [Int32] = []
        ids.reserveCapacity(3 * p * p)
        var labels: [Int] = []
        for a in 0..<p {
            for b in 0..<p {
                ids += [Int32(a), Int32(b), Int32(p)]
                labels.append((a + b) % p)
            }
        }
        return (TokenBatch(unchecked: ids, sequences: p * p, context: 3), labels)
    }

    /// The share of `pairs` whose last position's argmax is the label.
    public static func accuracy(_ model: GPT2, _ batch: TokenBatch, _ labels: [Int]) -> Double {
        guard batch.sequences > 0 else { return 0 }
        let logits = model.forward(batch, replacing: [:], keeping: []).logits
        let last = logits.gatherRows((0..<batch.sequences).map { 3 * $0 + 2 })
        let predicted = Kernels.argmaxRows(last)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(batch.sequences)
    }

    public struct Summary: Sendable {
        public var settings: Settings
        /// The steps taken (fewer than `settings.steps` when the target accuracy was reached).
        public var stepsRun: Int
        public var trainPairs: Int
        public var testPairs: Int
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public var finalLoss: Double
        /// (step, training loss, held-out accuracy) at each evaluation.
        public var curve: [(step: Int, loss: Double, testAccuracy: Double)]

        public var json: JSONValue {
            let s = settings
            return .object([
                "format": .string("warrant.training-summary/1"),
                "task": .string("modular_addition"),
                "architecture": .string("gpt2"),
                "modulus": .number(Double(s.modulus)),
                "seed": .number(Double(s.seed)),
                "layers": .number(Double(s.layers)), "width": .number(Double(s.width)), "heads": .number(Double(s.heads)),
                "mlp_width": .number(Double(s.mlpWidth)),
                "optimizer": .object(["name": .string("adamw"), "learning_rate": .number(s.learningRate),
                                      "weight_decay": .number(s.weightDecay), "betas": .array([.number(0.9), .number(0.98)]),
                                      "decay_applies_to": .string("every tensor")]),
                "loss": .string("cross-entropy of the sum at the last position (`=`)"),
                "batch_size": .number(Double(s.batchSize)),
                "steps": .number(Double(s.steps)), "steps_run": .number(Double(stepsRun)),
                "target_accuracy": .number(s.targetAccuracy),
                "split": .object(["train_fraction": .number(s.trainFraction), "train_pairs": .number(Double(trainPairs)),
                                  "test_pairs": .number(Double(testPairs)), "shuffle": .string("xoshiro256** seeded by splitmix64(seed)")]),
                "train_accuracy": .number(trainAccuracy),
                "test_accuracy": .number(testAccuracy),
                "final_loss": .number(finalLoss),
                "curve": .array(curve.map { .object(["step": .number(Double($0.step)), "loss": .number($0.loss), "test_accuracy": .number($0.testAccuracy)]) }),
            ])
        }
    }

    /// Trains from the seed: GPT-2's initialisation (normal, σ 0.02; LayerNorms at 1 and 0),
    /// AdamW (β 0.9, 0.98) on the cross-entropy of the last position, over the training
    /// split of ``ModularAddition/split(count:trainFraction:seed:)``.
    public static func train(_ s: Settings, progress: (Int, Double, Double) -> Void = { _, _, _ in }) -> (GPT2, Summary) {
        let (all, labels) = tokens(modulus: s.modulus)
        let (trainIdx, testIdx) = ModularAddition.split(count: labels.count, trainFraction: s.trainFraction, seed: s.seed)
        let test = all.examples(testIdx), testLabels = testIdx.map { labels[$0] }
        var g = SeededGenerator(seed: s.seed)
        var model = GPT2.initialized(config(s), generator: &g)
        var adam = Adam<Float>(learningRate: s.learningRate, beta1: 0.9, beta2: 0.98, weightDecay: s.weightDecay)
        let batchSize = s.batchSize <= 0 ? trainIdx.count : min(s.batchSize, trainIdx.count)
        var order = Array(0..<trainIdx.count)
        var cursor = order.count
        var curve: [(Int, Double, Double)] = []
        var lastLoss = 0.0
        var stepsRun = 0
        let v = s.modulus + 1
        for step in 1...max(1, s.steps) {
            if cursor + batchSize > order.count {
                if batchSize < order.count { g.shuffle(&order) }
                cursor = 0
            }
            let pairs = order[cursor..<(cursor + batchSize)].map { trainIdx[$0] }
            cursor += batchSize
            let batch = all.examples(pairs)
            let pass = model.forward(batch, replacing: [:], keeping: nil)
            // The loss is on the last position only: the others get a zero gradient.
            let last = pass.logits.gatherRows((0..<pairs.count).map { 3 * $0 + 2 })
            let (loss, dLast) = Kernels.crossEntropy(last, labels: pairs.map { labels[$0] })
            lastLoss = loss
            var dLogits = Matrix<Float>(rows: pass.logits.rows, cols: v)
            for r in 0..<pairs.count {
                for j in 0..<v { dLogits.storage[(3 * r + 2) * v + j] = dLast.storage[r * v + j] }
            }
            guard let grads = model.weightGradients(of: pass, batch: batch, gradLogits: dLogits) else { break }
            adam.beginStep()
            var slot = 0
            model.forEachTensor(with: grads) { parameter, gradient in
                adam.update(&parameter, gradient: gradient, slot: slot)
                slot += 1
            }
            stepsRun = step
            if step % s.evaluateEvery == 0 || step == s.steps {
                let acc = accuracy(model, test, testLabels)
                curve.append((step, loss, acc))
                progress(step, loss, acc)
                if acc >= s.targetAccuracy { break }
            }
        }
        let train = all.examples(trainIdx)
        let summary = Summary(settings: s, stepsRun: stepsRun, trainPairs: trainIdx.count, testPairs: testIdx.count,
                              trainAccuracy: accuracy(model, train, trainIdx.map { labels[$0] }),
                              testAccuracy: accuracy(model, test, testLabels), finalLoss: lastLoss, curve: curve)
        return (model, summary)
    }

    /// Writes the folder: config.json (with the task and its split under `warrant_task`),
    /// model.safetensors (GPT-2's tensor names), training.json and tokens.npy (every pair
    /// as `a b =`, int32, p² × 3, in pair order).
    public static func write(_ model: GPT2, _ summary: Summary, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try model.safetensors().write(to: directory + "/model.safetensors")
        var config = model.config.json
        if case .object(var o) = config {
            o["warrant_task"] = .object([
                "name": .string("modular_addition"), "modulus": .number(Double(summary.settings.modulus)),
                "split": .object(["seed": .number(Double(summary.settings.seed)), "train_fraction": .number(summary.settings.trainFraction)]),
            ])
            config = .object(o)
        }
        try Data((config.pretty + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/config.json"), options: .atomic)
        try Data((summary.json.pretty + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/training.json"), options: .atomic)
        let (all, _) = tokens(modulus: summary.settings.modulus)
        try NPYArray(shape: [all.sequences, 3], dtype: .i32, values: all.tokens.map(Double.init)).write(to: directory + "/tokens.npy")
    }
}

extension GPT2 {
    /// A model of `config` with GPT-2's initialisation from `generator`: every weight
    /// normal with σ 0.02, biases 0, LayerNorm weights 1.
    public static func initialized(_ c: GPT2Config, generator g: inout SeededGenerator) -> GPT2 {
        func normal(_ rows: Int, _ cols: Int) -> Matrix<Float> {
            Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in Float(0.02 * g.normal()) })
        }
        let d = c.width, m = c.mlpWidth
        let ones = [Float](repeating: 1, count: d), zeros = [Float](repeating: 0, count: d)
        let tokenEmbedding = normal(c.vocabularySize, d), positionEmbedding = normal(c.positions, d)
        var blocks: [Block] = []
        for _ in 0..<c.layers {
            blocks.append(Block(ln1Weight: ones, ln1Bias: zeros, attentionWeight: normal(d, 3 * d), attentionBias: [Float](repeating: 0, count: 3 * d),
                                projectionWeight: normal(d, d), projectionBias: zeros, ln2Weight: ones, ln2Bias: zeros,
                                mlpInWeight: normal(d, m), mlpInBias: [Float](repeating: 0, count: m),
                                mlpOutWeight: normal(m, d), mlpOutBias: zeros))
        }
        let unembedding = c.tiedUnembedding ? tokenEmbedding : normal(c.vocabularySize, d)
        return GPT2(config: c, tokenEmbedding: tokenEmbedding, positionEmbedding: positionEmbedding, blocks: blocks,
                    finalNormWeight: ones, finalNormBias: zeros, unembedding: unembedding)
    }

    /// Calls `body` with each trainable tensor of the model (flat) and the same tensor of
    /// `gradients`, in a fixed order; a tied unembedding is one tensor, so it is visited once
    /// and copied back into the unembedding.
    public mutating func forEachTensor(with gradients: GPT2, _ body: (inout [Float], [Float]) -> Void) {
        body(&tokenEmbedding.storage, gradients.tokenEmbedding.storage)
        body(&positionEmbedding.storage, gradients.positionEmbedding.storage)
        for l in blocks.indices {
            let gb = gradients.blocks[l]
            body(&blocks[l].ln1Weight, gb.ln1Weight); body(&blocks[l].ln1Bias, gb.ln1Bias)
            body(&blocks[l].attentionWeight.storage, gb.attentionWeight.storage); body(&blocks[l].attentionBias, gb.attentionBias)
            body(&blocks[l].projectionWeight.storage, gb.projectionWeight.storage); body(&blocks[l].projectionBias, gb.projectionBias)
            body(&blocks[l].ln2Weight, gb.ln2Weight); body(&blocks[l].ln2Bias, gb.ln2Bias)
            body(&blocks[l].mlpInWeight.storage, gb.mlpInWeight.storage); body(&blocks[l].mlpInBias, gb.mlpInBias)
            body(&blocks[l].mlpOutWeight.storage, gb.mlpOutWeight.storage); body(&blocks[l].mlpOutBias, gb.mlpOutBias)
        }
        body(&finalNormWeight, gradients.finalNormWeight)
        body(&finalNormBias, gradients.finalNormBias)
        if config.tiedUnembedding {
            unembedding = tokenEmbedding
        } else {
            body(&unembedding.storage, gradients.unembedding.storage)
        }
    }

    /// The weights under the names `GPT2LMHeadModel.save_pretrained` writes (Conv1D weights
    /// inputs × outputs; `lm_head.weight` only when untied).
    public func safetensors() -> SafetensorsWriter {
        var w = SafetensorsWriter()
        w.metadata = ["format": "pt"]
        w.add("transformer.wte.weight", tokenEmbedding)
        w.add("transformer.wpe.weight", positionEmbedding)
        for (l, b) in blocks.enumerated() {
            let p = "transformer.h.\(l)."
            w.add(p + "ln_1.weight", b.ln1Weight, shape: [config.width]); w.add(p + "ln_1.bias", b.ln1Bias, shape: [config.width])
            w.add(p + "attn.c_attn.weight", b.attentionWeight); w.add(p + "attn.c_attn.bias", b.attentionBias, shape: [3 * config.width])
            w.add(p + "attn.c_proj.weight", b.projectionWeight); w.add(p + "attn.c_proj.bias", b.projectionBias, shape: [config.width])
            w.add(p + "ln_2.weight", b.ln2Weight, shape: [config.width]); w.add(p + "ln_2.bias", b.ln2Bias, shape: [config.width])
            w.add(p + "mlp.c_fc.weight", b.mlpInWeight); w.add(p + "mlp.c_fc.bias", b.mlpInBias, shape: [config.mlpWidth])
            w.add(p + "mlp.c_proj.weight", b.mlpOutWeight); w.add(p + "mlp.c_proj.bias", b.mlpOutBias, shape: [config.width])
        }
        w.add("transformer.ln_f.weight", finalNormWeight, shape: [config.width])
        w.add("transformer.ln_f.bias", finalNormBias, shape: [config.width])
        if !config.tiedUnembedding { w.add("lm_head.weight", unembedding) }
        return w
    }
}

extension GPT2Config {
    /// config.json as `transformers` writes it for GPT-2 (the keys Warrant reads, and the
    /// ones `GPT2Config` needs to load the same model).
    public var json: JSONValue {
        .object([
            "model_type": .string("gpt2"), "architectures": .array([.string("GPT2LMHeadModel")]),
            "vocab_size": .number(Double(vocabularySize)), "n_positions": .number(Double(positions)),
            "n_embd": .number(Double(width)), "n_layer": .number(Double(layers)), "n_head": .number(Double(heads)),
            "n_inner": .number(Double(mlpWidth)), "activation_function": .string(activation.rawValue),
            "layer_norm_epsilon": .number(layerNormEpsilon), "scale_attn_weights": .bool(scaleAttentionWeights),
            "scale_attn_by_inverse_layer_idx": .bool(scaleByInverseLayerIndex), "tie_word_embeddings": .bool(tiedUnembedding),
            "resid_pdrop": .number(0), "embd_pdrop": .number(0), "attn_pdrop": .number(0),
            "bos_token_id": .number(Double(vocabularySize - 1)), "eos_token_id": .number(Double(vocabularySize - 1)),
        ])
    }
}
