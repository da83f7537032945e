import Foundation
import WarrantEvidence
import WarrantJSON
import WarrantNumerics

/// One LIB evaluation: the basis and the interaction graph of every node layer, for
/// LIB and for the PCA baseline, as an evidence record.
public struct LIBRun {
    /// 2: edges required by bisection, the constant direction's importance, the folded-bias option.
    /// 3: the importance spectrum (`importance_share_k`) and the bases and graphs as an artifact.
    public static let methodVersion = "3"

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

    /// The ablation schedule of the reference: every k below 10, then exponentially with base 1.05.
    static func schedule(upTo n: Int) -> [Int] {
        var ks = Array(1..<min(10, n + 1))
        var v = 10.0
        while Int(v) <= n {
            if Int(v) > (ks.last ?? 0) { ks.append(Int(v)) }
            v *= 1.05
        }
        if ks.last != n, n > 0 { ks.append(n) }
        return ks
    }

    /// Node ablation: keep the first k LIB (or PCA) directions of a node layer's features,
    /// f ← f̂_k·C⁺ + μ (folded: k counts the constant direction).
    static func ablated(_ fhat: Matrix<Double>, _ basis: LocalInteractionBasis, layer l: Int, keep k: Int, width: Int) -> Matrix<Double> {
        var kept = fhat
        kept.withUnsafeMutableBufferPointer { p in
            for t in 0..<fhat.rows { for c in k..<fhat.cols { p[t * fhat.cols + c] = 0 } }
        }
        return basis.activations(fromFeatures: kept, layer: l, width: width)
    }

    /// Edge ablation (after the edge-ablation hook of the reference, `rib`): node layer l+1's
    /// features computed, each from only the features of node layer l it keeps an edge to
    /// (`kept[i]`), then the rest of the network. Output features that keep the same inputs
    /// share one pass through the section. Returns the network's output.
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
            var constant = [Double](repeating: 0, count: outs.count)
            for (c, i) in outs.enumerated() {
                for a in 0..<width { columns[a, c] = next[a, i] }
                if to.foldedBias { constant[c] = to.basis[width, i] }
            }
            var y = LinearAlgebra.matmul(z, columns)
            if to.foldedBias { Kernels.addRowVector(&y, constant) }
            for t in 0..<n { for (c, i) in outs.enumerated() { newFeatures[t, i] = y[t, c] } }
        }
        if isOutput { return newFeatures }
        let acts = basis.activations(fromFeatures: newFeatures, layer: l + 1, width: width)
        return model.output(from: l + 1, acts)
    }

    /// The fewest largest edges of a transition that keep held-out accuracy within the
    /// tolerance of the unablated model, by bisection over the number kept (which assumes,
    /// as the reference does, that accuracy grows with it). Ties in edge weight keep the
    /// lower index first, so the order is deterministic.
    static func edgesRequired(_ edges: Matrix<Double>, base: Double, accuracyKeeping: ([[Int]]) -> Double) -> Int {
        let order = edges.storage.indices.sorted { edges.storage[$0] != edges.storage[$1] ? edges.storage[$0] > edges.storage[$1] : $0 < $1 }
        func kept(_ m: Int) -> [[Int]] {
            var rows = [[Int]](repeating: [], count: edges.rows)
            for e in order.prefix(m) { rows[e / edges.cols].append(e % edges.cols) }
            return rows.map { $0.sorted() }
        }
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if accuracyKeeping(kept(mid)) >= base - tolerance { hi = mid } else { lo = mid + 1 }
        }
        return hi
    }

    func accuracy(_ logits: Matrix<Double>, _ labels: [Int]) -> Double {
        Double(zip(Kernels.argmaxRows(logits), labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
    }

    /// Runs LIB and PCA and builds the record. With `outputDirectory`, the bases (C, C⁺, Λ and
    /// the mean of every node layer) and the interaction graphs are written there as
    /// `lib.safetensors` (Float64), and the record names the file with its SHA-256.
    public func run(producer: EvidenceRecord.Producer, outputDirectory: String? = nil,
                    progress: (String) -> Void = { _ in }) throws -> (metrics: [String: (Double, String)], record: EvidenceRecord) {
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
                metrics["\(name).\(node).directions_90"] = (Double(Self.count(holding: 0.9, of: layer.importance)),
                                                            pca ? "directions_90.largest variances holding 90% of total variance" : "directions_90.largest Lambda holding 90% of sum Lambda")
                metrics["\(name).\(node).directions_99"] = (Double(Self.count(holding: 0.99, of: layer.importance)),
                                                            pca ? "directions_99.largest variances holding 99% of total variance" : "directions_99.largest Lambda holding 99% of sum Lambda")
                // The spectrum, as the share of the total held by the largest k, on the ablation schedule.
                let sorted = layer.importance.sorted(by: >), total = sorted.reduce(0, +)
                var running = 0.0, next = 0
                let ks = Self.schedule(upTo: sorted.count)
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
                    var smallest = fhat.cols
                    for k in Self.schedule(upTo: fhat.cols) {
                        let kept = Self.ablated(fhat, basis, layer: l, keep: k, width: clean.inputs[l].cols)
                        let acc = accuracy(model.output(from: l, kept), labels)
                        metrics["\(name).\(node).ablation_k\(k)"] = (acc, "node_ablation.held-out accuracy keeping the first \(k) directions \(keptDirections)")
                        if acc >= base - Self.tolerance { smallest = min(smallest, k) }
                    }
                    metrics["\(name).\(node).smallest_k"] = (Double(smallest), "smallest_k.fewest directions on the schedule (1..9, then x1.05) within \(Self.tolerance) of unablated accuracy \(base)")
                }
            }
            for l in 1..<model.layerCount {
                progress("\(name) edges \(l) -> \(l + 1)")
                let e = basis.edges(model, forward: train, layer: l)
                let from = "hidden.\(l - 1)", to = l + 1 == model.layerCount ? "output" : "hidden.\(l)"
                tensors.add("\(name).edges.\(from)->\(to)", e, dtype: .f64)
                metrics["\(name).edges.\(from)->\(to).total"] = (Double(e.count), "edges.all edges between the two node layers")
                metrics["\(name).edges.\(from)->\(to).edges_90"] = (Double(Self.count(holding: 0.9, of: e.storage)),
                                                                     "edges_90.largest squared gradient x input edges holding 90% of sum E")
                metrics["\(name).edges.\(from)->\(to).edges_99"] = (Double(Self.count(holding: 0.99, of: e.storage)),
                                                                     "edges_99.largest edges holding 99% of sum E")
                if let labels, let base {
                    progress("\(name) edge ablation \(l) -> \(l + 1) (bisection)")
                    let required = Self.edgesRequired(e, base: base) { kept in
                        accuracy(Self.edgeAblatedOutput(model, basis, layer: l, features: heldOut[l], kept: kept), labels)
                    }
                    metrics["\(name).edges.\(from)->\(to).required"] = (Double(required),
                        "edges_required.fewest largest edges keeping held-out accuracy within \(Self.tolerance) of \(base), by bisection")
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
                                "fold_bias": .bool(foldBias), "threshold": .number(threshold), "data_split": .string("basis on the training split, ablations on the held-out split")]
        record.dataset = .init(name: data.name, sha256: data.sha256)
        for (name, m) in metrics { record.metrics[name] = .init(m.0, definition: m.1) }
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
