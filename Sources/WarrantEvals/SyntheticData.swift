import WarrantNumerics

/// Synthetic activations with a known dictionary, for the known-answer tests
/// S8 and S9 (Tests/WarrantEvalsTests/SAETests.swift) and the SAE benchmark.
public enum SyntheticData {
    /// `samples` activations in d dimensions, each a sum of `features` random unit
    /// directions active independently with probability `p` and coefficient U(0, 1).
    /// Returns the data and the true directions (one per row).
    public static func sparseFeatures(dimension d: Int, features m: Int, probability p: Double, samples: Int,
                                      seed: UInt64) -> (data: Matrix<Float>, truth: Matrix<Float>) {
        var g = SeededGenerator(seed: seed)
        var truth = Matrix<Float>(rows: m, cols: d)
        for i in 0..<m {
            let v = (0..<d).map { _ in g.normal() }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            for k in 0..<d { truth[i, k] = Float(v[k] / norm) }
        }
        var data = Matrix<Float>(rows: samples, cols: d)
        for t in 0..<samples {
            for i in 0..<m where g.nextUnit() < p {
                let coefficient = Float(g.nextUnit())
                for k in 0..<d { data[t, k] += coefficient * truth[i, k] }
            }
        }
        return (data, truth)
    }

    /// S9: sparse features in the first half of the coordinates, dense N(0, 1) nuisance in
    /// the second half, and a linear readout that ignores the nuisance.
    public static func functionalAndNuisance(samples: Int, seed: UInt64) -> (data: Matrix<Float>, readout: MLP<Float>) {
        let d = 16, half = 8, classes = 10
        var g = SeededGenerator(seed: seed)
        var directions = Matrix<Float>(rows: 16, cols: half)
        for i in 0..<16 {
            let v = (0..<half).map { _ in g.normal() }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            for k in 0..<half { directions[i, k] = Float(v[k] / norm) }
        }
        var data = Matrix<Float>(rows: samples, cols: d)
        for t in 0..<samples {
            for i in 0..<16 where g.nextUnit() < 0.15 {
                let coefficient = Float(g.nextUnit())
                for k in 0..<half { data[t, k] += coefficient * directions[i, k] }
            }
            for k in half..<d { data[t, k] = Float(g.normal()) }
        }
        // logits = a·W_out: W_out rows 1–8 ~ N(0, 2²), rows 9–16 zero. As an nn.Linear weight (10 × 16).
        var w = Matrix<Float>(rows: classes, cols: d)
        for k in 0..<half { for j in 0..<classes { w[j, k] = Float(2 * g.normal()) } }
        let config = MLPConfig(layers: [.init(inputs: d, outputs: classes, activation: .none, weight: "readout.weight", bias: nil)],
                               weights: "readout.safetensors")
        return (data, MLP(config: config, weights: [w], biases: [[Float](repeating: 0, count: classes)]))
    }
}
