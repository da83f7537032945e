import Foundation
import WarrantEvidence
import WarrantJSON
import WarrantNumerics

/// One LIB evaluation: the basis and the interaction graph of every node layer, for
/// LIB and for the PCA baseline, as an evidence record.
public struct LIBRun {
    public static let methodVersion = "1"

    public var modelConfigPath: String
    public var threshold: Double
    public var dataPath: String?

    public init(modelConfigPath: String, threshold: Double = 1e-12, dataPath: String? = nil) {
        self.modelConfigPath = modelConfigPath
        self.threshold = threshold
        self.dataPath = dataPath
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

    /// f ← μ + (f − μ)·C_k·C⁺_k.
    func ablated(_ f: Matrix<Double>, _ layer: LocalInteractionBasis.NodeLayer, keep k: Int) -> Matrix<Double> {
        var centred = f
        Kernels.addRowVector(&centred, layer.mean.map { -$0 })
        var ck = layer.basis, cPlus = layer.inverse
        for c in k..<ck.cols { for r in 0..<ck.rows { ck[r, c] = 0 } }
        for r in k..<cPlus.rows { for c in 0..<cPlus.cols { cPlus[r, c] = 0 } }
        var out = LinearAlgebra.matmul(LinearAlgebra.matmul(centred, ck), cPlus)
        Kernels.addRowVector(&out, layer.mean)
        return out
    }

    func accuracy(_ logits: Matrix<Double>, _ labels: [Int]) -> Double {
        Double(zip(Kernels.argmaxRows(logits), labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
    }

    public func run(producer: EvidenceRecord.Producer, progress: (String) -> Void = { _ in }) throws -> (metrics: [String: (Double, String)], record: EvidenceRecord) {
        let floatModel = try MLP<Float>.load(configPath: modelConfigPath)
        let model = try MLP<Double>.load(configPath: modelConfigPath)
        let data = try SAERun(modelConfigPath: modelConfigPath, layer: "input", settings: .init(), dataPath: dataPath).data(for: floatModel)
        let x = data.train.converted(to: Double.self)
        var metrics: [String: (Double, String)] = [:]
        for (name, pca) in [("lib", false), ("pca", true)] {
            progress("\(name) basis")
            let basis = try LocalInteractionBasis.compute(model, inputs: x, threshold: threshold, pca: pca)
            for l in 0..<model.layerCount {
                let node = l == 0 ? "input" : "hidden.\(l - 1)"
                let layer = basis.layers[l]
                metrics["\(name).\(node).dims"] = (Double(layer.importance.count), "dims.directions kept (relative threshold \(threshold))")
                metrics["\(name).\(node).whitened_dims"] = (Double(layer.whitenedDimension), "whitened_dims.directions with variance above the threshold")
                metrics["\(name).\(node).directions_90"] = (Double(Self.count(holding: 0.9, of: layer.importance)),
                                                            pca ? "directions_90.largest variances holding 90% of total variance" : "directions_90.largest Lambda holding 90% of sum Lambda")
                metrics["\(name).\(node).directions_99"] = (Double(Self.count(holding: 0.99, of: layer.importance)),
                                                            pca ? "directions_99.largest variances holding 99% of total variance" : "directions_99.largest Lambda holding 99% of sum Lambda")
            }
            // Node ablation on the held-out split: keep the first k directions of a hidden node layer.
            if let labels = data.testLabels {
                let test = data.test.converted(to: Double.self)
                let clean = model.forward(test)
                let base = accuracy(clean.output, labels)
                for l in 1..<model.layerCount {
                    let node = "hidden.\(l - 1)"
                    progress("\(name) node ablation \(node)")
                    let layer = basis.layers[l]
                    let acts = clean.inputs[l]
                    var smallest = layer.importance.count
                    for k in Self.schedule(upTo: layer.importance.count) {
                        let kept = ablated(acts, layer, keep: k)
                        let acc = accuracy(model.forward(test, replacing: [node: kept]).output, labels)
                        metrics["\(name).\(node).ablation_k\(k)"] = (acc, "node_ablation.held-out accuracy keeping the first \(k) directions (mean restored)")
                        if acc >= base - 0.001 { smallest = min(smallest, k) }
                    }
                    metrics["\(name).\(node).smallest_k"] = (Double(smallest), "smallest_k.fewest directions on the schedule (1..9, then x1.05) within 0.001 of unablated accuracy \(base)")
                }
            }
            for l in 1..<model.layerCount {
                progress("\(name) edges \(l) -> \(l + 1)")
                let e = basis.edges(model, inputs: x, layer: l)
                let from = "hidden.\(l - 1)", to = l + 1 == model.layerCount ? "output" : "hidden.\(l)"
                metrics["\(name).edges.\(from)->\(to).total"] = (Double(e.count), "edges.all edges between the two node layers")
                metrics["\(name).edges.\(from)->\(to).edges_90"] = (Double(Self.count(holding: 0.9, of: e.storage)),
                                                                     "edges_90.largest squared gradient x input edges holding 90% of sum E")
                metrics["\(name).edges.\(from)->\(to).edges_99"] = (Double(Self.count(holding: 0.99, of: e.storage)),
                                                                     "edges_99.largest edges holding 99% of sum E")
            }
        }
        var record = EvidenceRecord(kind: "interpretability.lib", producer: producer)
        record.title = "Local Interaction Basis (and PCA baseline) of \((modelConfigPath as NSString).lastPathComponent)"
        record.subject = try SAERun.subject(modelConfigPath, floatModel)
        record.method = .init(name: "lib", version: Self.methodVersion)
        record.configuration = ["basis": .string("jacobian"), "edges": .string("squared, gradient integration"),
                                "centring": .string("mean-centred; constant direction not included"),
                                "threshold": .number(threshold), "data_split": .string("basis on the training split, ablations on the held-out split")]
        record.dataset = .init(name: data.name, sha256: data.sha256)
        for (name, m) in metrics { record.metrics[name] = .init(m.0, definition: m.1) }
        return (metrics, record)
    }
}
