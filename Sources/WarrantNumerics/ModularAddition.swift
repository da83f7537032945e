import Foundation
import WarrantJSON

/// The built-in demo model: an MLP that learns (a + b) mod p from the one-hot
/// codes of a and b, trained from a seed, deterministically, so every evaluation
/// can run offline on real weights.
public enum ModularAddition {
    /// The largest modulus Warrant makes a data set for (modulus² rows).
    public static let maxModulus = 1024

    public struct Settings: Sendable, Equatable {
        public var modulus = 113
        public var hidden = [256, 256]
        public var activation = Activation.relu
        /// Share of all p² pairs used for training; the rest is held out.
        public var trainFraction = 0.5
        public var learningRate = 3e-3
        /// Decoupled (AdamW) weight decay, on weights and biases. Without it the
        /// model memorises the training pairs and never generalises.
        public var weightDecay = 1.0
        /// Mini-batch size; 0 means the whole training set.
        public var batchSize = 512
        public var steps = 3000
        public var seed: UInt64 = 0
        /// Held-out accuracy is measured every this many steps (and at the end).
        public var evaluateEvery = 500
        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        public var settings: Settings
        public var trainPairs: Int
        public var testPairs: Int
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public var finalLoss: Double
        /// (step, training loss, held-out accuracy) at each evaluation.
        public var curve: [(step: Int, loss: Double, testAccuracy: Double)]

        public static func == (a: Summary, b: Summary) -> Bool {
            a.settings == b.settings && a.testAccuracy == b.testAccuracy && a.trainAccuracy == b.trainAccuracy && a.finalLoss == b.finalLoss
        }

        public var json: JSONValue {
            .object([
                "format": .string("warrant.training-summary/1"),
                "task": .string("modular_addition"),
                "modulus": .number(Double(settings.modulus)),
                "seed": .number(Double(settings.seed)),
                "hidden": .array(settings.hidden.map { .number(Double($0)) }),
                "activation": .string(settings.activation.rawValue),
                "optimizer": .object(["name": .string("adamw"), "learning_rate": .number(settings.learningRate),
                                      "weight_decay": .number(settings.weightDecay), "betas": .array([.number(0.9), .number(0.999)]),
                                      "decay_applies_to": .string("weights and biases")]),
                "batch_size": .number(Double(settings.batchSize)),
                "steps": .number(Double(settings.steps)),
                "split": .object(["train_fraction": .number(settings.trainFraction), "train_pairs": .number(Double(trainPairs)),
                                  "test_pairs": .number(Double(testPairs)), "shuffle": .string("xoshiro256** seeded by splitmix64(seed)")]),
                "train_accuracy": .number(trainAccuracy),
                "test_accuracy": .number(testAccuracy),
                "final_loss": .number(finalLoss),
                "curve": .array(curve.map { .object(["step": .number(Double($0.step)), "loss": .number($0.loss), "test_accuracy": .number($0.testAccuracy)]) }),
            ])
        }
    }

    /// Every pair (a, b) as the concatenation of one-hot(a) and one-hot(b), and its label.
    public static func dataset(modulus p: Int) -> (inputs: Matrix<Float>, labels: [Int]) {
        var x = Matrix<Float>(rows: p * p, cols: 2 * p)
        var labels = [Int](repeating: 0, count: p * p)
        for a in 0..<p {
            for b in 0..<p {
                let r = a * p + b
                x[r, a] = 1
                x[r, p + b] = 1
                labels[r] = (a + b) % p
            }
        }
        return (x, labels)
    }

    /// The seeded train/held-out split of pair indices.
    public static func split(count: Int, trainFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        var order = Array(0..<count)
        var g = SeededGenerator(seed: seed ^ 0x5EED_5EED)
        g.shuffle(&order)
        let n = Int((Double(count) * trainFraction).rounded())
        return (Array(order[..<n]).sorted(), Array(order[n...]).sorted())
    }

    public static func config(_ s: Settings) -> MLPConfig {
        var c = MLPConfig.standard(sizes: [2 * s.modulus] + s.hidden + [s.modulus], activation: s.activation)
        c.task = ["kind": .string("modular_addition"), "modulus": .number(Double(s.modulus)),
                  "input": .string("concat(one_hot(a), one_hot(b))"), "output": .string("logits over (a + b) mod p"),
                  // The split the model is trained on, so that every evaluation holds out the same pairs.
                  "split": .object(["seed": .number(Double(s.seed)), "train_fraction": .number(s.trainFraction)])]
        return c
    }

    public static func accuracy(_ model: MLP<Float>, _ x: Matrix<Float>, _ labels: [Int]) -> Double {
        guard x.rows > 0 else { return 0 }
        let predictions = Kernels.argmaxRows(model.forward(x).output)
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// Trains the demo model. `progress` is called at each evaluation.
    public static func train(_ s: Settings, progress: (Int, Double, Double) -> Void = { _, _, _ in }) -> (MLP<Float>, Summary) {
        let (x, labels) = dataset(modulus: s.modulus)
        let (trainIdx, testIdx) = split(count: labels.count, trainFraction: s.trainFraction, seed: s.seed)
        let xTrain = x.gatherRows(trainIdx), yTrain = trainIdx.map { labels[$0] }
        let xTest = x.gatherRows(testIdx), yTest = testIdx.map { labels[$0] }
        var g = SeededGenerator(seed: s.seed)
        var model = MLP<Float>.initialized(config(s), generator: &g)
        var adam = Adam<Float>(learningRate: s.learningRate, beta1: 0.9, beta2: 0.999, weightDecay: s.weightDecay)
        let batch = s.batchSize <= 0 ? trainIdx.count : min(s.batchSize, trainIdx.count)
        var order = Array(0..<trainIdx.count)
        var cursor = order.count
        var curve: [(Int, Double, Double)] = []
        var lastLoss = 0.0
        for step in 1...max(1, s.steps) {
            // Next mini-batch from a seeded reshuffle each epoch.
            if cursor + batch > order.count {
                g.shuffle(&order)
                cursor = 0
            }
            let rows = Array(order[cursor..<(cursor + batch)])
            cursor += batch
            let pairs = rows.map { trainIdx[$0] }
            let yb = pairs.map { labels[$0] }
            // The input is two one-hot codes, so layer 0 is a sum of two columns of W₀:
            // gather them instead of multiplying by a 226-wide sparse matrix.
            let w0t = model.weights[0].transposed
            let z0 = firstLayer(w0t, model.biases[0], pairs: pairs, modulus: s.modulus)
            let f = model.forward(Matrix(rows: batch, cols: 0), firstPreActivation: z0)
            let (loss, dLogits) = Kernels.crossEntropy(f.output, labels: yb)
            lastLoss = loss
            var grads = model.backward(f, gradOutput: dLogits, activationGradients: ["hidden.0.pre"], firstLayerWeights: false)
            grads.weights[0] = scatterFirstLayer(grads.activations["hidden.0.pre"]!, pairs: pairs, modulus: s.modulus, inputs: 2 * s.modulus)
            adam.beginStep()
            for i in 0..<model.layerCount {
                adam.update(&model.weights[i].storage, gradient: grads.weights[i].storage, slot: 2 * i)
                adam.update(&model.biases[i], gradient: grads.biases[i], slot: 2 * i + 1)
            }
            if step % s.evaluateEvery == 0 || step == s.steps {
                let acc = accuracy(model, xTest, yTest)
                curve.append((step, loss, acc))
                progress(step, loss, acc)
            }
        }
        let summary = Summary(settings: s, trainPairs: trainIdx.count, testPairs: testIdx.count,
                              trainAccuracy: accuracy(model, xTrain, yTrain), testAccuracy: accuracy(model, xTest, yTest),
                              finalLoss: lastLoss, curve: curve)
        return (model, summary)
    }

    /// Rows `W₀ᵀ[a] + W₀ᵀ[p + b] + b₀` for each pair index `a·p + b`.
    static func firstLayer(_ w0t: Matrix<Float>, _ bias: [Float], pairs: [Int], modulus p: Int) -> Matrix<Float> {
        let h = w0t.cols
        var z = Matrix<Float>(rows: pairs.count, cols: h)
        w0t.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                z.withUnsafeMutableBufferPointer { out in
                    for (r, pair) in pairs.enumerated() {
                        let ra = (pair / p) * h, rb = (p + pair % p) * h, o = r * h
                        for j in 0..<h { out[o + j] = w[ra + j] + w[rb + j] + b[j] }
                    }
                }
            }
        }
        return z
    }

    /// The gradient of W₀ (outputs × inputs) from the gradient of layer 0's pre-activation.
    static func scatterFirstLayer(_ g: Matrix<Float>, pairs: [Int], modulus p: Int, inputs: Int) -> Matrix<Float> {
        let h = g.cols
        var dwt = Matrix<Float>(rows: inputs, cols: h)
        g.withUnsafeBufferPointer { gp in
            dwt.withUnsafeMutableBufferPointer { d in
                for (r, pair) in pairs.enumerated() {
                    let ra = (pair / p) * h, rb = (p + pair % p) * h, o = r * h
                    for j in 0..<h {
                        d[ra + j] += gp[o + j]
                        d[rb + j] += gp[o + j]
                    }
                }
            }
        }
        return dwt.transposed
    }

    /// Writes `model.safetensors`, `model.json` (the config) and `training.json` into `directory`.
    public static func write(_ model: MLP<Float>, _ summary: Summary, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try model.safetensors(metadata: ["format": "pt", "task": "modular_addition", "seed": String(summary.settings.seed)])
            .write(to: directory + "/model.safetensors")
        try Data((model.config.json.pretty + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/model.json"), options: .atomic)
        try Data((summary.json.pretty + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/training.json"), options: .atomic)
    }
}
