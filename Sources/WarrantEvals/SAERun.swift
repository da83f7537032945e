import Foundation
import WarrantEvidence
import WarrantJSON
import WarrantNumerics

/// One SAE evaluation as Warrant runs it for a case: load the model and its data,
/// train (or load) an SAE, evaluate it on held-out data, write the SAE in SAELens
/// layout, and describe the result as an evidence record.
public struct SAERun {
    /// Bumped whenever training or a metric definition changes, so stale records are re-run.
    /// 2: alive/dead over the training data (held-out counts renamed `*_heldout`), the LN
    /// explained variance, cosine similarity, statistical distance and reconstruction bias,
    /// and undefined ratios as NaN instead of a perfect score.
    public static let methodVersion = "2"

    public var modelConfigPath: String
    public var layer: String
    public var settings: SAETrainingSettings
    /// Model inputs as .npy (N × inputs); nil uses the model's own task data.
    public var dataPath: String?

    public init(modelConfigPath: String, layer: String, settings: SAETrainingSettings, dataPath: String? = nil) {
        self.modelConfigPath = modelConfigPath
        self.layer = layer
        self.settings = settings
        self.dataPath = dataPath
    }

    public enum RunError: Error, CustomStringConvertible {
        case noData(String)
        case badLayer(String, [String])
        public var description: String {
            switch self {
            case .noData(let m): return m
            case .badLayer(let l, let names): return "the model has no activation '\(l)'; it has: \(names.joined(separator: ", "))"
            }
        }
    }

    /// The held-out and training inputs, in the Float32 the SAE computes in
    /// (``EvaluationData`` decides which they are).
    struct Inputs {
        var train: Matrix<Float>
        var test: Matrix<Float>
        var data: EvaluationData
        init(_ data: EvaluationData) {
            self.data = data
            train = data.train.converted(to: Float.self)
            test = data.test.converted(to: Float.self)
        }
    }

    public struct Result {
        public var sae: SparseAutoencoder
        public var evaluation: SAEEvaluation
        public var record: EvidenceRecord
        public var saeDirectory: String
    }

    /// Trains, evaluates, writes the SAE into `outputDirectory` and returns the record to store.
    /// With `settings.seeds` above 1, the SAEs of seeds `seed+1 ...` are trained and evaluated
    /// too, and every metric gains `NAME.seeds_min`, `NAME.seeds_max` and `NAME.seeds_sd`
    /// (the sample standard deviation) across all the seeds; the SAE kept is the first.
    public func run(outputDirectory: String, producer: EvidenceRecord.Producer,
                    progress: (Int, SAELossTerms) -> Void = { _, _ in }) throws -> Result {
        let model = try MLP<Float>.load(configPath: modelConfigPath)
        guard model.config.activationNames.contains(layer), layer != "logits" else {
            throw RunError.badLayer(layer, model.config.activationNames.filter { $0 != "logits" })
        }
        let data = Inputs(try EvaluationData.load(model: model, configPath: modelConfigPath, dataPath: dataPath))
        let (sae, _) = SAETrainer(settings: settings, layer: layer)
            .train(model: model, inputs: data.train, progressEvery: max(1, settings.steps / 50), progress: progress)
        var result = try finish(sae, model: model, data: data, outputDirectory: outputDirectory, producer: producer, trained: true)
        guard settings.seeds > 1 else { return result }
        var evaluations = [result.evaluation]
        for k in 1..<settings.seeds {
            var other = settings
            other.seed = settings.seed &+ UInt64(k)
            let (otherSAE, _) = SAETrainer(settings: other, layer: layer).train(model: model, inputs: data.train, progressEvery: max(1, settings.steps / 50))
            evaluations.append(SAEMetrics.evaluate(otherSAE, model: model, layer: layer, inputs: data.test, labels: data.data.testLabels,
                                                   trainingWindow: data.train, bootstrap: nil))
        }
        for (name, m) in result.evaluation.metrics {
            let values = evaluations.compactMap { $0[name] }
            guard values.count == evaluations.count, values.allSatisfy(\.isFinite) else { continue }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            let over = "over seeds \(settings.seed)...\(settings.seed &+ UInt64(settings.seeds - 1)) (\(m.definition))"
            result.record.metrics[name + ".seeds_min"] = .init(values.min() ?? mean, definition: "minimum " + over)
            result.record.metrics[name + ".seeds_max"] = .init(values.max() ?? mean, definition: "maximum " + over)
            result.record.metrics[name + ".seeds_sd"] = .init(sd, definition: "sample standard deviation " + over)
        }
        return result
    }

    /// Evaluates an SAE saved in SAELens's layout (no training), at the SAE's own hook.
    ///
    /// `layer` is the hook asked for on the command line (nil: the SAE's own). An SAE whose
    /// hook is not an activation of the model, a `layer` that disagrees with the SAE's hook,
    /// or an SAE of another width than that activation, is refused. The record describes
    /// the SAE evaluated (architecture, sizes, hook, normalisation, cfg layout, where it
    /// came from) and pins its files by SHA-256.
    public static func evaluateSAELens(saeDirectory: String, layer asked: String?, modelConfigPath: String, dataPath: String?,
                                       producer: EvidenceRecord.Producer) throws -> (record: EvidenceRecord, evaluation: SAEEvaluation, sae: SAELensSAE) {
        let model = try MLP<Float>.load(configPath: modelConfigPath)
        let sae = try SAELensSAE.read(from: saeDirectory)
        let candidates = model.config.activationNames.filter { $0 != "logits" }
        if let asked, let hook = sae.hookName, asked != hook {
            throw RunError.noData("the SAE in \(saeDirectory) reads `\(hook)` (its cfg.json says so), not `\(asked)`; drop --layer, or evaluate an SAE trained on `\(asked)`")
        }
        guard let layer = asked ?? sae.hookName else {
            throw RunError.noData("the SAE in \(saeDirectory) names no hook in its cfg.json; say where it reads with --layer (one of: \(candidates.joined(separator: ", ")))")
        }
        guard let width = model.config.width(of: layer), layer != "logits" else { throw RunError.badLayer(layer, candidates) }
        guard sae.inputDimension == width else {
            throw RunError.noData("the SAE in \(saeDirectory) reads \(sae.inputDimension)-wide activations, but `\(layer)` of the model is \(width) wide")
        }
        let data = Inputs(try EvaluationData.load(model: model, configPath: modelConfigPath, dataPath: dataPath))
        let evaluation = SAEMetrics.evaluate(sae, model: model, layer: layer, inputs: data.test, labels: data.data.testLabels, trainingWindow: data.train)
        var record = EvidenceRecord(kind: "interpretability.sae", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "\(sae.architecture.rawValue) SAE (SAELens layout, \(sae.dictionarySize) features) from \((saeDirectory as NSString).lastPathComponent) on \(layer) of \((modelConfigPath as NSString).lastPathComponent)"
        record.subject = try subject(modelConfigPath, model)
        record.method = .init(name: "sae", version: methodVersion)
        record.provenance = .derived
        var configuration = sae.recordConfiguration
        configuration["layer"] = .string(layer)
        configuration["evaluated"] = .string(saeDirectory)
        configuration["trained_by_warrant"] = .bool(false)
        configuration["intervals"] = Bootstrap().recordConfiguration
        if let dataPath { configuration["data"] = .string(dataPath) }
        record.configuration = configuration
        record.dataset = .init(name: data.data.name, sha256: data.data.sha256)
        for (name, m) in evaluation.metrics { record.metrics[name] = .init(m.value, interval: m.interval, definition: m.definition) }
        for file in ["sae_weights.safetensors", "cfg.json"] {
            let path = saeDirectory + "/" + file
            if let sha = try? Hashing.sha256Hex(fileAt: path) { record.artifacts.append(.init(path: path, sha256: sha)) }
        }
        return (record, evaluation, sae)
    }

    func finish(_ sae: SparseAutoencoder, model: MLP<Float>, data: Inputs, outputDirectory: String,
                producer: EvidenceRecord.Producer, trained: Bool) throws -> Result {
        let evaluation = SAEMetrics.evaluate(sae, model: model, layer: layer, inputs: data.test, labels: data.data.testLabels, trainingWindow: data.train)
        if trained { try sae.write(to: outputDirectory, hookName: layer, metadata: ["warrant_loss": .string(settings.loss.rawValue)]) }
        var record = EvidenceRecord(kind: "interpretability.sae", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "\(settings.loss.rawValue) SAE on \(layer) of \((modelConfigPath as NSString).lastPathComponent)"
        record.subject = try Self.subject(modelConfigPath, model)
        record.method = .init(name: "sae", version: Self.methodVersion)
        record.provenance = .derived
        record.configuration = configuration(trained: trained, saeDirectory: outputDirectory)
        record.dataset = .init(name: data.data.name, sha256: data.data.sha256)
        for (name, m) in evaluation.metrics { record.metrics[name] = .init(m.value, interval: m.interval, definition: m.definition) }
        for file in ["sae_weights.safetensors", "cfg.json"] {
            let path = outputDirectory + "/" + file
            if let sha = try? Hashing.sha256Hex(fileAt: path) { record.artifacts.append(.init(path: path, sha256: sha)) }
        }
        return Result(sae: sae, evaluation: evaluation, record: record, saeDirectory: outputDirectory)
    }

    /// The recipe's configuration, under the names a case's `eval:` uses.
    public func configuration(trained: Bool, saeDirectory: String) -> [String: JSONValue] {
        var c: [String: JSONValue] = [
            "layer": .string(layer), "loss": .string(settings.loss.rawValue),
            "dict_size": .number(Double(settings.dictionarySize)), "lambda": .number(settings.lambda),
            "steps": .number(Double(settings.steps)), "batch_size": .number(Double(settings.batchSize)),
            "learning_rate": .number(settings.learningRate), "seed": .number(Double(settings.seed)),
            "warmup_steps": .number(Double(settings.schedule.warmupSteps)), "clip_norm": .number(settings.clipNorm),
            "trained_by_warrant": .bool(trained), "intervals": Bootstrap().recordConfiguration, "seeds": .number(Double(settings.seeds)),
        ]
        if settings.loss == .e2eDownstream { c["beta"] = .number(settings.beta) }
        if let dataPath { c["data"] = .string(dataPath) }
        return c
    }

    /// The record subject of an evaluation of this model: named after the model's folder
    /// (as `examples/models/modadd` gives `modadd`), identified by its weights' SHA-256.
    static func subject(_ configPath: String, _ model: MLP<Float>) throws -> EvidenceRecord.Subject {
        let name = (configPath as NSString).deletingLastPathComponent.split(separator: "/").last.map(String.init)
        return .init(name: name, sha256: try Hashing.sha256Hex(fileAt: weightsPath(configPath, model)))
    }

    static func weightsPath(_ configPath: String, _ model: MLP<Float>) -> String {
        let dir = (configPath as NSString).deletingLastPathComponent
        return model.config.weights.hasPrefix("/") || dir.isEmpty ? model.config.weights : dir + "/" + model.config.weights
    }
}
