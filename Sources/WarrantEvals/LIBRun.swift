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
        record.subject = .init(name: nil, sha256: try Hashing.sha256Hex(fileAt: SAERun.weightsPath(modelConfigPath, floatModel)))
        record.method = .init(name: "lib", version: Self.methodVersion)
        record.configuration = ["basis": .string("jacobian"), "edges": .string("squared, gradient integration"),
                                "centring": .string("mean-centred; constant direction not included"),
                                "threshold": .number(threshold), "data_split": .string("training split")]
        record.dataset = .init(name: data.name, sha256: data.sha256)
        for (name, m) in metrics { record.metrics[name] = .init(m.0, definition: m.1) }
        return (metrics, record)
    }
}
