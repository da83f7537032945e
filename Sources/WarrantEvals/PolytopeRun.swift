import Foundation
import WarrantEvidence
import WarrantJSON
import WarrantNumerics

/// One polytope evaluation: region statistics over the held-out data, exact line walks
/// between same-label and different-label pairs, scaling rays, and code-versus-activation
/// clustering purity, as an evidence record.
public struct PolytopeRun {
    /// 2: purity and NMI per hidden layer, codes matched with the activations they are the
    /// signs of; the median of an even count is the mean of the middle two; a shuffled
    /// baseline beside `prediction_change_to_peak`.
    public static let methodVersion = "2"

    public var modelConfigPath: String
    /// `input` (walk in input space) or `hidden.L` (walk in layer L's activation space).
    public var layer: String
    public var pairs: Int
    public var seed: UInt64
    public var dataPath: String?

    public init(modelConfigPath: String, layer: String = "input", pairs: Int = 50, seed: UInt64 = 0, dataPath: String? = nil) {
        self.modelConfigPath = modelConfigPath
        self.layer = layer
        self.pairs = pairs
        self.seed = seed
        self.dataPath = dataPath
    }

    public struct Result {
        public var metrics: [String: (value: Double, definition: String)]
        public var record: EvidenceRecord
    }

    /// Index of the first layer whose input is the walk's space.
    func startLayer(_ model: MLP<Double>) throws -> Int {
        if layer == "input" { return 0 }
        let parts = layer.split(separator: ".")
        guard parts.count == 2, parts[0] == "hidden", let l = Int(parts[1]), l >= 0, l + 1 < model.layerCount else {
            throw SAERun.RunError.badLayer(layer, ["input"] + (0..<(model.layerCount - 1)).map { "hidden.\($0)" })
        }
        return l + 1
    }

    public func run(producer: EvidenceRecord.Producer, progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        try Evaluations.requireSupported(Self.self, configPath: modelConfigPath)
        let model = try MLP<Double>.load(configPath: modelConfigPath)
        let floatModel = try MLP<Float>.load(configPath: modelConfigPath)
        let data = try EvaluationData.load(model: floatModel, configPath: modelConfigPath, dataPath: dataPath)
        let from = try startLayer(model)
        var points = data.test
        if from > 0, let hidden = model.forward(points)["hidden.\(from - 1)"] { points = hidden }
        let labels = data.testLabels ?? Kernels.argmaxRows(model.forward(data.test).output)
        guard points.rows >= 2 else { throw SAERun.RunError.noData("a polytope run needs at least 2 held-out points, got \(points.rows)") }
        let distinctLabels = Set(labels).count
        var metrics: [String: (Double, String)] = [:]
        // Per-sample terms of the metrics that are means, for bootstrap intervals.
        var samples: [String: Bootstrap.Statistic] = [:]

        // Regions over the held-out points.
        let codes = Polytopes.codes(model, points, from: from)
        let (distinct, singletons) = Polytopes.regionStatistics(codes)
        metrics["points"] = (Double(points.rows), "points.held_out_datapoints")
        metrics["regions"] = (Double(distinct), "regions.distinct_full_codes_of_layers_after_\(layer)")
        metrics["unique_fraction"] = (Double(distinct) / Double(max(1, points.rows)), "unique_fraction.distinct_codes / points")
        metrics["singleton_fraction"] = (singletons, "singleton_fraction.points_alone_in_their_polytope / points")

        // Pairs: same label and different label, seeded.
        var g = SeededGenerator(seed: seed)
        var byLabel: [Int: [Int]] = [:]
        for (i, l) in labels.enumerated() { byLabel[l, default: []].append(i) }
        let multi = byLabel.keys.sorted().filter { byLabel[$0]!.count > 1 }
        var profiles: [String: [Double]] = ["same": [Double](repeating: 0, count: 10), "different": [Double](repeating: 0, count: 10)]
        var densities: [String: [Double]] = ["same": [], "different": []]
        var changeDistances: [Double] = []
        // Each walk's densest window and its prediction changes, for the shuffled baseline.
        var walkPeaks: [(peak: Double?, changes: [Double])] = []
        for k in 0..<(2 * pairs) {
            let same = k % 2 == 0
            // Without two labels there are no different-label pairs; without a repeated label, no same-label ones.
            if !same && distinctLabels < 2 { continue }
            if same && multi.isEmpty { continue }
            var i = g.index(below: points.rows), j = g.index(below: points.rows)
            if same {
                let members = byLabel[multi[g.index(below: multi.count)]]!
                i = members[g.index(below: members.count)]
                repeat { j = members[g.index(below: members.count)] } while j == i
            } else {
                while labels[j] == labels[i] { j = g.index(below: points.rows) }
            }
            let w = Polytopes.walk(model, from: points.row(i), to: points.row(j), startLayer: from)
            let group = same ? "same" : "different"
            densities[group]!.append(w.density)
            var window = [Double](repeating: 0, count: 10)
            for c in w.crossings { window[min(9, Int(c.t * 10))] += 1 }
            for b in 0..<10 { profiles[group]![b] += window[b] / Double(pairs) }
            var centre: Double?
            if let peak = window.indices.max(by: { window[$0] < window[$1] }), window[peak] > 0 {
                centre = (Double(peak) + 0.5) / 10
                for t in w.predictionChanges { changeDistances.append(abs(t - (Double(peak) + 0.5) / 10)) }
            }
            walkPeaks.append((centre, w.predictionChanges))
            progress(k + 1, 2 * pairs)
        }
        for (group, values) in densities where !values.isEmpty {
            let sorted = values.sorted()
            metrics["density_\(group)_mean"] = (values.reduce(0, +) / Double(values.count), "density.mean crossings per unit length, \(group)-label pairs, exact walk")
            samples["density_\(group)_mean"] = .mean(values)
            let n = sorted.count
            let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            metrics["density_\(group)_median"] = (median, "density.median crossings per unit length, \(group)-label pairs (mean of the middle two when even)")
            for b in 0..<10 {
                metrics["density_profile_\(group)_\(b)"] = (profiles[group]![b], "density_profile.mean crossings in t-window [\(Double(b) / 10), \(Double(b + 1) / 10)), \(group)-label pairs")
            }
        }
        if !changeDistances.isEmpty {
            metrics["prediction_change_to_peak"] = (changeDistances.reduce(0, +) / Double(changeDistances.count),
                                                    "prediction_change_to_peak.mean |t_change - centre of the densest t-window|")
            samples["prediction_change_to_peak"] = .mean(changeDistances)
            // The null baseline: each walk's densest window against the next walk's change
            // points (walks shifted by one), so that a figure well below it means changes of
            // prediction really sit where the boundaries are densest.
            var null: [Double] = []
            for (k, walk) in walkPeaks.enumerated() {
                guard let centre = walk.peak, walkPeaks.count > 1 else { continue }
                for t in walkPeaks[(k + 1) % walkPeaks.count].changes { null.append(abs(t - centre)) }
            }
            if !null.isEmpty {
                samples["prediction_change_to_peak_null"] = .mean(null)
                metrics["prediction_change_to_peak_null"] = (null.reduce(0, +) / Double(null.count),
                    "prediction_change_to_peak_null.mean |t_change - centre of the densest t-window|, change points of the next walk (shuffled baseline)")
            }
        }

        // Scaling rays αh, α from 0.01 to 3, from the first points.
        var rayCrossings = 0.0
        let rays = min(20, points.rows)
        var rayTerms: [Double] = []
        for r in 0..<rays {
            let h = points.row(r)
            let crossings = Double(Polytopes.walk(model, from: h.map { $0 * 0.01 }, to: h.map { $0 * 3 }, startLayer: from).crossings.count)
            rayCrossings += crossings
            rayTerms.append(crossings)
        }
        samples["scaling_crossings_mean"] = .mean(rayTerms)
        metrics["scaling_crossings_mean"] = (rayCrossings / Double(max(1, rays)), "scaling.mean crossings on rays alpha*h, alpha in [0.01, 3]")

        // Purity: clusters of codes (Hamming k-medoids) against clusters of the activations the
        // codes are the signs of (Euclidean k-medoids), same points, same k: per hidden layer,
        // and over all of them together (the full code against all activations concatenated).
        let classes = byLabel.keys.sorted().prefix(10)
        let subset = classes.flatMap { byLabel[$0]?.prefix(30) ?? [] }
        if Set(subset.map { labels[$0] }).count > 1 {
            let k = Set(subset.map { labels[$0] }).count
            let subsetLabels = subset.map { labels[$0] }
            let layers = Polytopes.hiddenActivations(model, points.gatherRows(subset), from: from)
            func score(_ suffix: String, what: String, activations: [Matrix<Double>]) {
                let signs: [[Bool]] = (0..<subset.count).map { p in activations.flatMap { h in (0..<h.cols).map { h[p, $0] > 0 } } }
                let codes = signs.map(Polytopes.Code.init(bits:))
                let byCode = RegionPurity.kMedoids(count: subset.count, k: k) { Double(codes[$0].hamming(codes[$1])) }
                let byActivation = RegionPurity.kMedoids(count: subset.count, k: k) { a, b in
                    var s = 0.0
                    for h in activations { for c in 0..<h.cols { let v = h[a, c] - h[b, c]; s += v * v } }
                    return s.squareRoot()
                }
                metrics["purity_code" + suffix] = (RegionPurity.purity(clusters: byCode, labels: subsetLabels),
                                                   "purity.k-medoids on codes (Hamming) of \(what), k = #labels, \(subset.count) points")
                metrics["purity_activation" + suffix] = (RegionPurity.purity(clusters: byActivation, labels: subsetLabels),
                                                         "purity.k-medoids on activations (Euclidean) of \(what), same points and k")
                metrics["nmi_code" + suffix] = (RegionPurity.nmi(clusters: byCode, labels: subsetLabels), "nmi.2I(C;L)/(H(C)+H(L)), code clusters of \(what)")
                metrics["nmi_activation" + suffix] = (RegionPurity.nmi(clusters: byActivation, labels: subsetLabels),
                                                      "nmi.2I(C;L)/(H(C)+H(L)), activation clusters of \(what)")
            }
            score("", what: "all hidden layers after \(layer)", activations: layers.map(\.activations))
            for (l, h) in layers { score(".hidden.\(l)", what: "hidden.\(l)", activations: [h]) }
        }

        var record = EvidenceRecord(kind: "interpretability.polytope", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "Polytope lens on \(layer) of \((modelConfigPath as NSString).lastPathComponent)"
        record.subject = try SAERun.subject(modelConfigPath, floatModel)
        record.method = .init(name: "polytope", version: Self.methodVersion)
        record.provenance = .derived
        record.configuration = ["layer": .string(layer), "pairs": .number(Double(pairs)), "seed": .number(Double(seed)),
                                "tie_convention": .string(Polytopes.tieConvention)]
        if let dataPath { record.configuration["data"] = .string(dataPath) }
        record.dataset = .init(name: data.name, sha256: data.sha256)
        let bootstrap = Bootstrap()
        let intervals = bootstrap.intervals(samples)
        record.configuration["intervals"] = bootstrap.recordConfiguration
        for (name, m) in metrics { record.metrics[name] = .init(m.0, interval: intervals[name], definition: m.1) }
        return Result(metrics: metrics.mapValues { (value: $0.0, definition: $0.1) }, record: record)
    }
}
