import Foundation
import WarrantEvidence
import WarrantJSON
import WarrantNumerics

/// One LIB evaluation: the basis and the interaction graph of every node layer, for
/// LIB and for the PCA baseline, as an evidence record.
public struct LIBRun {
    /// 2: edges required by bisection, the constant direction's importance, the folded-bias option.
    /// 3: the importance spectrum (`importance_share_k`) and the bases and graphs as an artifact.
    /// 4: the folded variant exactly as rib (constant coordinate differentiated through, its
    ///    edges free in ablations), rib's ablation schedule and bisection, spectra without the
    ///    constant direction, bootstrap intervals on held-out accuracies.
    public static let methodVersion = "4"

    public var modelConfigPath: String
    public var threshold: Double
    public var dataPath: String?
    /// The folded-bias variant instead of mean-centring (see ``LocalInteractionBasis``).
    public var foldBias: Bool
    /// Accuracy tolerance of the smallest k and of the edges required.
    public static let tolerance = 0.001

    public init(modelConfigPath: String, threshold: Double = 1e-12, dataPath: String? = nil, foldBias: Bool = false) {
        self.modelConfigPath = modelConfigPath
        self.threshold = threshold
        self.dataPath = dataPath
        self.foldBias = foldBias
    }

    /// How many of the largest entries hold `fraction` of the sum.
    static func count(holding fraction: Double, of values: [Double]) -> Int {
        LocalInteractionBasis.directions(holding: fraction, of: values)
    }

    /// The node-ablation schedule of the reference, rib's `ExponentialSchedule` with the
    /// settings of its modular-addition runs (`ablate_every_vec_cutoff: 10`, `exp_base: 1.05`),
    /// as numbers of directions kept, ascending, over a basis of full dimension `n`: every k
    /// up to 10, then the number ablated shrinks by ⌈1.05ˣ⌉-ish steps (rib truncates
    /// `prev − 1.05ˣ` to an integer), ending at n. With n ≤ 10 (where rib refuses the cutoff),
    /// every k.
    static func schedule(dimension n: Int, cutoff: Int = 10, base: Double = 1.05) -> [Int] {
        guard n > cutoff else { return Array(0...max(0, n)) }
        var ablated = Array(stride(from: n, through: n - cutoff, by: -1))
        var previous = n - cutoff
        for x in 0..<n {
            let value = (Double(previous) - pow(base, Double(x))).rounded(.towardZero)
            if value > 0 {
                // value < previous ≤ n, so it fits in an Int.
                previous = Int(value)
                ablated.append(previous)
            } else {
                ablated.append(0)
                break
            }
        }
        return ablated.map { n - $0 }
    }

    /// The points of ``schedule(dimension:cutoff:base:)`` a basis of `kept` directions can
    /// tell apart: those below `kept` and the first at or above it (every later point keeps
    /// every direction too, so it scores the same).
    static func schedulePoints(dimension n: Int, kept: Int) -> [Int] {
        var points: [Int] = []
        for k in schedule(dimension: n) {
            points.append(k)
            if k >= kept { break }
        }
        return points
    }

    /// Runs the network from node layer `l` on activations `x` whose constant coordinate is
    /// `constant` (one per row) rather than 1, as rib's folded model does: the bias of each
    /// layer enters multiplied by the constant coordinate, which a hidden ReLU layer passes
    /// on as ReLU(constant). With every constant 1 this is `model.output(from:)`.
    static func foldedOutput(_ model: MLP<Double>, from l: Int, _ x: Matrix<Double>, constant: [Double]) -> Matrix<Double> {
        var current = x
        var c = constant
        for i in l..<model.layerCount {
            var z = LinearAlgebra.matmul(current, model.weights[i], transposeB: true)
            let bias = model.biases[i], width = z.cols, rows = z.rows
            z.withUnsafeMutableBufferPointer { zp in
                for t in 0..<rows { for a in 0..<width { zp[t * width + a] += c[t] * bias[a] } }
            }
            model.activate(&z, layer: i)
            // Only ReLU hidden layers reach here (LocalInteractionBasis refuses others), and
            // ReLU maps the constant coordinate c to max(0, c).
            for t in c.indices { c[t] = Swift.max(0, c[t]) }
            current = z
        }
        return current
    }

    /// The constant coordinate of folded activations rebuilt from LIB features, f̂·C⁺[:, bias].
    static func constantCoordinate(_ fhat: Matrix<Double>, _ layer: LocalInteractionBasis.NodeLayer) -> [Double] {
        let bias = layer.inverse.cols - 1
        return (0..<fhat.rows).map { t in (0..<fhat.cols).reduce(0.0) { $0 + fhat[t, $1] * layer.inverse[$1, bias] } }
    }

    /// Node ablation: keep the first k LIB (or PCA) directions of a node layer's features,
    /// f ← f̂_k·C⁺ + μ, and run the rest of the network. Folded, k counts the constant
    /// direction and the rebuilt constant coordinate goes on (zero when k = 0), as in rib.
    static func ablatedOutput(_ model: MLP<Double>, _ fhat: Matrix<Double>, _ basis: LocalInteractionBasis, layer l: Int,
                              keep k: Int, width: Int) -> Matrix<Double> {
        var kept = fhat
        kept.withUnsafeMutableBufferPointer { p in
            for t in 0..<fhat.rows { for c in k..<fhat.cols { p[t * fhat.cols + c] = 0 } }
        }
        let acts = basis.activations(fromFeatures: kept, layer: l, width: width)
        guard basis.layers[l].foldedBias else { return model.output(from: l, acts) }
        return foldedOutput(model, from: l, acts, constant: constantCoordinate(kept, basis.layers[l]))
    }

    /// Edge ablation (after the edge-ablation hook of the reference, `rib`): node layer l+1's
    /// features computed, each from only the features of node layer l it keeps an edge to
    /// (`kept[i]`), then the rest of the network. Output features that keep the same inputs
    /// share one pass through the section. Folded, the section's constant output coordinate
    /// is ReLU of the kept inputs' constant coordinate, as rib's folded module computes it,
    /// so a cut edge from the constant direction takes the bias away with it. Returns the
    /// network's output.
    static func edgeAblatedOutput(_ model: MLP<Double>, _ basis: LocalInteractionBasis, layer l: Int,
                                  features fhat: Matrix<Double>, kept: [[Int]]) -> Matrix<Double> {
        let n = fhat.rows
        let from = basis.layers[l], to = basis.layers[l + 1]
        let width = model.weights[l].rows
        // z = f̂·(C⁺ W̃ᵀ) + z₀; centred, z₀ = μ·Wᵀ + b; folded, the constant feature carries it.
        let bt = LinearAlgebra.matmul(from.inverse, basis.sectionWeight(model, layer: l), transposeB: true)   // r_l × d_{l+1}
        let z0 = from.foldedBias ? [Double](repeating: 0, count: width)
                                 : LocalInteractionBasis.preActivationAtMean(model, layer: l, mean: from.mean)
        let next = basis.activationRows(layer: l + 1, width: width)
        let isOutput = l + 1 == model.layerCount
        let biasColumn = from.inverse.cols - 1
        var groups: [[Int]: [Int]] = [:]
        for (i, js) in kept.enumerated() { groups[js, default: []].append(i) }
        var newFeatures = Matrix<Double>(rows: n, cols: kept.count)
        for (js, outs) in groups.sorted(by: { $0.value[0] < $1.value[0] }) {
            var z = Matrix<Double>(rows: n, cols: width)
            if !js.isEmpty {
                var cols = Matrix<Double>(rows: n, cols: js.count)
                var rows = Matrix<Double>(rows: js.count, cols: width)
                for t in 0..<n { for (c, j) in js.enumerated() { cols[t, c] = fhat[t, j] } }
                for (c, j) in js.enumerated() { for a in 0..<width { rows[c, a] = bt[j, a] } }
                LinearAlgebra.gemm(cols, rows, into: &z)
            }
            Kernels.addRowVector(&z, z0)
            model.activate(&z, layer: l)
            if !isOutput, !to.foldedBias, !to.mean.isEmpty { Kernels.addRowVector(&z, to.mean.map { -$0 }) }
            var columns = Matrix<Double>(rows: width, cols: outs.count)
            for (c, i) in outs.enumerated() { for a in 0..<width { columns[a, c] = next[a, i] } }
            var y = LinearAlgebra.matmul(z, columns)
            if to.foldedBias {
                // The constant output coordinate ReLU(Σ_{j kept} f̂_j C⁺[j, bias]) times C's bias row.
                for t in 0..<n {
                    var constant = 0.0
                    for j in js { constant += fhat[t, j] * from.inverse[j, biasColumn] }
                    constant = Swift.max(0, constant)
                    for (c, i) in outs.enumerated() { y[t, c] += constant * to.basis[width, i] }
                }
            }
            for t in 0..<n { for (c, i) in outs.enumerated() { newFeatures[t, i] = y[t, c] } }
        }
        if isOutput { return newFeatures }
        let acts = basis.activations(fromFeatures: newFeatures, layer: l + 1, width: width)
        guard to.foldedBias else { return model.output(from: l + 1, acts) }
        return foldedOutput(model, from: l + 1, acts, constant: constantCoordinate(newFeatures, to))
    }

    /// The edges rib's `_get_edge_mask` keeps when `m` are to be kept: every edge at least as
    /// large as the m-th largest (ties kept together), all of them when m exceeds their
    /// number, none when m is 0. With `constantFree`, the edges out of input direction 0
    /// (the folded constant direction) are always kept and not counted. Returns, for each
    /// output direction, the input directions it keeps.
    static func keptEdges(_ edges: Matrix<Double>, keeping m: Int, constantFree: Bool) -> [[Int]] {
        let first = constantFree ? 1 : 0
        var weights: [Double] = []
        for i in 0..<edges.rows { for j in first..<edges.cols { weights.append(edges[i, j]) } }
        var rows = [[Int]](repeating: constantFree && edges.cols > 0 ? [0] : [], count: edges.rows)
        if m > weights.count { return [[Int]](repeating: Array(0..<edges.cols), count: edges.rows) }
        guard m > 0 else { return rows }
        let threshold = weights.sorted(by: >)[m - 1]
        for i in 0..<edges.rows { for j in first..<edges.cols where edges[i, j] >= threshold { rows[i].append(j) } }
        return rows
    }

    /// The fewest largest edges of a transition that keep held-out accuracy within the
    /// tolerance of the unablated model, found as rib's `BisectSchedule` finds it (linear
    /// midpoints, tolerance 1): over the number of edges ablated out of `possible` (the
    /// product of the two node layers' full dimensions, as rib counts them), keeping
    /// ``keptEdges(_:keeping:constantFree:)``. The result is `possible` minus the most edges
    /// known to be ablatable, which assumes, as the reference does, that accuracy grows with
    /// the edges kept.
    static func edgesRequired(_ edges: Matrix<Double>, possible: Int, constantFree: Bool, base: Double,
                              accuracyKeeping: ([[Int]]) -> Double) -> Int {
        var lower = 0, upper = possible
        while upper - lower > 1 {
            var proposal = (upper + lower) / 2
            if proposal == lower { proposal += 1 }
            if proposal == upper { proposal -= 1 }
            let score = accuracyKeeping(keptEdges(edges, keeping: possible - proposal, constantFree: constantFree))
            if score >= base - tolerance { lower = proposal } else { upper = proposal }
        }
        return possible - lower
    }

    func accuracy(_ logits: Matrix<Double>, _ labels: [Int]) -> Double {
        Double(zip(Kernels.argmaxRows(logits), labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
    }

    /// 1 for each held-out sample the logits classify correctly, else 0: the samples behind
    /// an accuracy, for its bootstrap interval.
    func correct(_ logits: Matrix<Double>, _ labels: [Int]) -> [Double] {
        zip(Kernels.argmaxRows(logits), labels).map { $0 == $1 ? 1 : 0 }
    }

    /// Runs LIB and PCA and builds the record. With `outputDirectory`, the bases (C, C⁺, Λ and
    /// the mean of every node layer) and the interaction graphs are written there as
    /// `lib.safetensors` (Float64), and the record names the file with its SHA-256.
    public func run(producer: EvidenceRecord.Producer, outputDirectory: String? = nil,
                    progress: (String) -> Void = { _ in }) throws -> (metrics: [String: (Double, String)], record: EvidenceRecord) {
        try Evaluations.requireSupported(Self.self, configPath: modelConfigPath)
        let floatModel = try MLP<Float>.load(configPath: modelConfigPath)
        let model = try MLP<Double>.load(configPath: modelConfigPath)
        let data = try EvaluationData.load(model: floatModel, configPath: modelConfigPath, dataPath: dataPath)
        let x = data.train
        var metrics: [String: (Double, String)] = [:]
        var tensors = SafetensorsWriter()
        // The held-out split, its clean forward pass and accuracy: the baseline of every ablation.
        let test = data.test
        let clean = model.forward(test)
        let labels = data.testLabels
        let base = labels.map { accuracy(clean.output, $0) }
        let keptDirections = foldBias ? "(k counts the constant direction)" : "(mean restored)"
        // Per-sample terms of the accuracies, for bootstrap intervals.
        var samples: [String: Bootstrap.Statistic] = [:]
        if let labels, let base {
            metrics["accuracy"] = (base, "accuracy.held-out accuracy of the unablated model, the baseline of every ablation")
            samples["accuracy"] = .mean(correct(clean.output, labels))
        }
        let train = model.forward(x)
        for (name, pca) in [("lib", false), ("pca", true)] {
            progress("\(name) basis")
            let basis = try LocalInteractionBasis.compute(model, inputs: x, threshold: threshold, pca: pca, foldBias: foldBias)
            for l in 0..<model.layerCount {
                let node = l == 0 ? "input" : "hidden.\(l - 1)"
                let layer = basis.layers[l]
                metrics["\(name).\(node).dims"] = (Double(layer.importance.count), "dims.directions kept (relative threshold \(threshold))")
                metrics["\(name).\(node).whitened_dims"] = (Double(layer.whitenedDimension), "whitened_dims.directions with variance above the threshold")
                if let c = layer.constantImportance {
                    metrics["\(name).\(node).constant_importance"] = (c, "constant_importance.Lambda_0 = E_x |J_x v|^2 of the constant direction v = (mu, 1), a node outside the basis")
                }
                if layer.foldedBias, !pca, let c = layer.importance.first {
                    metrics["\(name).\(node).constant_importance"] = (c, "constant_importance.Lambda_0 of the folded constant direction (basis direction 0), as rib computes it")
                }
                // Spectra leave the constant direction out: folded, it is direction 0 (its PCA
                // "variance" is the constant coordinate's 1, its Λ₀ not an interaction strength).
                let spectrum = layer.foldedBias ? Array(layer.importance.dropFirst()) : layer.importance
                metrics["\(name).\(node).directions_90"] = (Double(Self.count(holding: 0.9, of: spectrum)),
                                                            pca ? "directions_90.largest variances holding 90% of total variance (constant direction excluded)"
                                                                : "directions_90.largest Lambda holding 90% of sum Lambda (constant direction excluded)")
                metrics["\(name).\(node).directions_99"] = (Double(Self.count(holding: 0.99, of: spectrum)),
                                                            pca ? "directions_99.largest variances holding 99% of total variance (constant direction excluded)"
                                                                : "directions_99.largest Lambda holding 99% of sum Lambda (constant direction excluded)")
                // The spectrum, as the share of the total held by the largest k, on the ablation schedule.
                let sorted = spectrum.sorted(by: >), total = sorted.reduce(0, +)
                var running = 0.0, next = 0
                let ks = Self.schedule(dimension: sorted.count).filter { $0 > 0 }
                for (index, value) in sorted.enumerated() {
                    running += value
                    if next < ks.count, ks[next] == index + 1 {
                        metrics["\(name).\(node).importance_share_k\(index + 1)"] = (total > 0 ? running / total : 0,
                            pca ? "importance_share.share of total variance in the largest \(index + 1) directions"
                                : "importance_share.share of sum Lambda in the largest \(index + 1) directions")
                        next += 1
                    }
                }
                tensors.add("\(name).\(node).basis", layer.basis, dtype: .f64)
                tensors.add("\(name).\(node).inverse", layer.inverse, dtype: .f64)
                tensors.add("\(name).\(node).importance", layer.importance, shape: [layer.importance.count], dtype: .f64)
                if !layer.mean.isEmpty { tensors.add("\(name).\(node).mean", layer.mean, shape: [layer.mean.count], dtype: .f64) }
            }
            // The held-out split in this basis, node layer by node layer (index 0 unused).
            let heldOut = (0..<model.layerCount).map { l in l == 0 ? Matrix<Double>(rows: 0, cols: 0) : basis.features(clean.inputs[l], layer: l) }
            // Node ablation on the held-out split: keep the first k directions of a hidden node layer.
            if let labels, let base {
                for l in 1..<model.layerCount {
                    let node = "hidden.\(l - 1)"
                    progress("\(name) node ablation \(node)")
                    let fhat = heldOut[l]
                    let width = clean.inputs[l].cols
                    // rib schedules over the untruncated dimension (folded: with the constant).
                    let full = width + (basis.layers[l].foldedBias ? 1 : 0)
                    var smallest: Int?
                    for k in Self.schedulePoints(dimension: full, kept: fhat.cols) {
                        let outcome = correct(Self.ablatedOutput(model, fhat, basis, layer: l, keep: min(k, fhat.cols), width: width), labels)
                        let acc = outcome.reduce(0, +) / Double(max(1, outcome.count))
                        metrics["\(name).\(node).ablation_k\(k)"] = (acc, "node_ablation.held-out accuracy keeping the first \(k) directions \(keptDirections)")
                        samples["\(name).\(node).ablation_k\(k)"] = .mean(outcome)
                        if smallest == nil, acc >= base - Self.tolerance { smallest = k }
                    }
                    metrics["\(name).\(node).smallest_k"] = (Double(smallest ?? fhat.cols),
                        "smallest_k.fewest directions on rib's ExponentialSchedule (every k to 10, then exp_base 1.05) within \(Self.tolerance) of unablated accuracy \(base)")
                }
            }
            for l in 1..<model.layerCount {
                progress("\(name) edges \(l) -> \(l + 1)")
                let e = basis.edges(model, forward: train, layer: l)
                let from = "hidden.\(l - 1)", to = l + 1 == model.layerCount ? "output" : "hidden.\(l)"
                tensors.add("\(name).edges.\(from)->\(to)", e, dtype: .f64)
                // Folded, the edges out of the constant direction (column 0) are free, as in rib's
                // ablations (`always_keep_const_dir = center`): counts leave them out.
                let constantFree = basis.layers[l].foldedBias
                let counted = constantFree ? (0..<e.rows).flatMap { i in (1..<e.cols).map { e[i, $0] } } : e.storage
                let freeNote = constantFree ? " (edges from the constant direction are free and not counted)" : ""
                metrics["\(name).edges.\(from)->\(to).total"] = (Double(counted.count), "edges.all edges between the two node layers\(freeNote)")
                metrics["\(name).edges.\(from)->\(to).edges_90"] = (Double(Self.count(holding: 0.9, of: counted)),
                                                                     "edges_90.largest squared gradient x input edges holding 90% of sum E\(freeNote)")
                metrics["\(name).edges.\(from)->\(to).edges_99"] = (Double(Self.count(holding: 0.99, of: counted)),
                                                                     "edges_99.largest edges holding 99% of sum E\(freeNote)")
                if let labels, let base {
                    progress("\(name) edge ablation \(l) -> \(l + 1) (bisection)")
                    let possible = basis.layers[l].basis.rows * basis.layers[l + 1].basis.rows
                    let required = Self.edgesRequired(e, possible: possible, constantFree: constantFree, base: base) { kept in
                        accuracy(Self.edgeAblatedOutput(model, basis, layer: l, features: heldOut[l], kept: kept), labels)
                    }
                    metrics["\(name).edges.\(from)->\(to).required"] = (Double(required),
                        "edges_required.fewest largest edges keeping held-out accuracy within \(Self.tolerance) of \(base), by rib's bisection over \(possible) possible edges\(freeNote)")
                }
            }
        }
        var record = EvidenceRecord(kind: "interpretability.lib", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "Local Interaction Basis (and PCA baseline) of \((modelConfigPath as NSString).lastPathComponent)"
        record.subject = try SAERun.subject(modelConfigPath, floatModel)
        record.method = .init(name: "lib", version: Self.methodVersion)
        record.provenance = .derived
        record.configuration = ["basis": .string("jacobian"), "edges": .string("squared, gradient integration"),
                                "centring": .string(foldBias ? "folded bias: the constant direction is the first basis direction"
                                                             : "mean-centred; the constant direction is a node outside the basis (constant_importance)"),
                                "fold_bias": .bool(foldBias), "threshold": .number(threshold), "data_split": .string("basis on the training split, ablations on the held-out split"),
                                "node_ablation_schedule": .string("rib ExponentialSchedule, ablate_every_vec_cutoff 10, exp_base 1.05, over the untruncated dimension"),
                                "edge_ablation": .string("rib BisectSchedule (linear, tolerance 1) over in x out basis rows; ties kept together" + (foldBias ? "; constant-direction edges free" : ""))]
        record.dataset = .init(name: data.name, sha256: data.sha256)
        let bootstrap = Bootstrap()
        let intervals = bootstrap.intervals(samples)
        record.configuration["intervals"] = bootstrap.recordConfiguration
        for (name, m) in metrics { record.metrics[name] = .init(m.0, interval: intervals[name], definition: m.1) }
        if let outputDirectory {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            let path = (outputDirectory as NSString).appendingPathComponent("lib.safetensors")
            tensors.metadata = ["format": "warrant.lib/1", "model": (modelConfigPath as NSString).lastPathComponent,
                                "centring": foldBias ? "folded" : "mean-centred",
                                "layout": "C is d x r (folded: (d+1) x r), C+ is r x d, edges are r_out x r_in"]
            try tensors.write(to: path)
            record.artifacts.append(.init(path: path, sha256: try Hashing.sha256Hex(fileAt: path)))
        }
        return (metrics, record)
    }
}
