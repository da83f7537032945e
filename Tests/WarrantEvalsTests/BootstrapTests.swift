import Foundation
import Testing
@testable import WarrantEvals
import WarrantNumerics

@Suite("Bootstrap intervals")
struct BootstrapTests {
    @Test("percentiles interpolate linearly between order statistics, as numpy's default does", arguments: [
        ([1.0, 2, 3, 4], 0.5, 2.5), ([1.0, 2, 3, 4], 0.025, 1.075), ([1.0, 2, 3, 4], 0.975, 3.925), ([7.0], 0.3, 7.0),
    ])
    func percentile(values: [Double], q: Double, expected: Double) {
        #expect(abs(Bootstrap.percentile(values, q) - expected) < 1e-12)
    }

    @Test("an interval holds its mean, narrows with more samples, and is the same every run")
    func intervals() {
        var g = SeededGenerator(seed: 5)
        let small = (0..<50).map { _ in g.normal() }, large = (0..<5000).map { _ in g.normal() }
        let b = Bootstrap(resamples: 500)
        let i = b.intervals(["small": .mean(small), "large": .mean(large)])
        let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
        for (name, v) in [("small", small), ("large", large)] {
            let interval = i[name] ?? []
            #expect(interval.count == 2 && interval[0] < mean(v) && mean(v) < interval[1])
        }
        let width = { (v: [Double]) in v[1] - v[0] }
        #expect(width(i["large"] ?? [0, 0]) < width(i["small"] ?? [0, 0]) / 5)
        // The standard error of a mean of 5000 N(0,1) draws is 0.0141: a 95% interval is about ±0.028.
        #expect(abs(width(i["large"] ?? [0, 0]) - 2 * 1.96 * 0.01414) < 0.01)
        #expect(b.intervals(["small": .mean(small)]) == b.intervals(["small": .mean(small)]))
    }

    @Test("a ratio of sums is resampled as a ratio; one sample gives no interval")
    func ratio() {
        let num = [Double](repeating: 1, count: 100), den = [Double](repeating: 4, count: 100)
        let i = Bootstrap(resamples: 200).intervals(["r": .ratio(numerator: num, denominator: den, map: { 1 - $0 }), "one": .mean([3])])
        #expect(i["r"] == [0.75, 0.75])
        #expect(i["one"] == nil)
    }

    @Test("SAE metrics that are means over tokens carry intervals around their values")
    func saeIntervals() {
        let (model, x, labels) = smallModel()
        var g = SeededGenerator(seed: 4)
        let sae = SparseAutoencoder.initialized(inputDimension: 8, dictionarySize: 16, generator: &g)
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0", inputs: x, labels: labels)
        for name in ["l0", "mse", "kl", "ce_increase", "explained_variance", "cosine_similarity", "statistical_distance"] {
            let m = e.metrics[name]
            let interval = m?.interval ?? []
            #expect(interval.count == 2 && interval[0] <= (m?.value ?? .nan) && (m?.value ?? .nan) <= interval[1], "\(name): \(String(describing: m))")
        }
        #expect(e.metrics["alive"]?.interval == nil && e.metrics["alive_heldout"]?.interval == nil)
    }
}
