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
    /// Model inputs as .npy (N × inputs), or a transformer's token ids; nil uses the model's
    /// own task data.
    public var dataPath: String?
    /// How the record names the data file (a recipe's `tokens:` as the case spells it);
    /// nil names it by ``dataPath``.
    public var dataLabel: String?

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

    /// The training and held-out inputs of a run, in the form the model takes them, and
    /// what the record says of them.
    struct RunData<Inputs> {
        var train: Inputs
        var test: Inputs
        /// One per held-out position (negative: none), for cross-entropy.
        var testLabels: [Int]?
        var name: String
        var sha256: String
        /// The configuration key naming the file given (`data` for an MLP, `tokens` for a transformer).
        var fileKey: String
    }

    /// A loaded model and its data, whatever the architecture; ``SAERun`` runs the same
    /// code on each.
    enum Loaded {
        case mlp(MLP<Float>, RunData<Matrix<Float>>)
        case gpt2(GPT2, RunData<TokenBatch>)
    }

    /// Loads the model at `path` (a model.json, a Warrant model folder, a Hugging Face GPT-2
    /// folder) and the data of `dataPath` (an MLP's inputs, a transformer's token ids).
    static func load(_ path: String, dataPath: String?) throws -> Loaded {
        switch try LoadedModel.Location(path) {
        case .warrantConfig(let config):
            let model = try MLP<Float>.load(configPath: config)
            let data = try EvaluationData.load(model: model, configPath: config, dataPath: dataPath)
            return .mlp(model, RunData(train: data.train.converted(to: Float.self), test: data.test.converted(to: Float.self),
                                       testLabels: data.testLabels, name: data.name, sha256: data.sha256, fileKey: "data"))
        case .huggingFaceFolder(let folder):
            let model = try GPT2.load(folder: folder)
            let data = try TokenData.load(model: model, path: dataPath)
            return .gpt2(model, RunData(train: data.train, test: data.test, testLabels: data.testLabels, name: data.name,
                                        sha256: data.sha256, fileKey: "tokens"))
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
        switch try Self.load(modelConfigPath, dataPath: dataPath) {
        case .mlp(let model, let data): return try run(model, data, outputDirectory: outputDirectory, producer: producer, progress: progress)
        case .gpt2(let model, let data): return try run(model, data, outputDirectory: outputDirectory, producer: producer, progress: progress)
        }
    }

    func run<Model: DifferentiableHookedModel>(_ model: Model, _ data: RunData<Model.Inputs>, outputDirectory: String,
                                              producer: EvidenceRecord.Producer, progress: (Int, SAELossTerms) -> Void) throws -> Result {
        guard model.replaceableHooks.contains(layer) else { throw RunError.badLayer(layer, model.replaceableHooks) }
        let (sae, _) = SAETrainer(settings: settings, layer: layer)
            .train(model: model, inputs: data.train, progressEvery: max(1, settings.steps / 50), progress: progress)
        var result = try finish(sae, model: model, data: data, outputDirectory: outputDirectory, producer: producer, trained: true)
        guard settings.seeds > 1 else { return result }
        var evaluations = [result.evaluation]
        for k in 1..<settings.seeds {
            var other = settings
            other.seed = settings.seed &+ UInt64(k)
            let (otherSAE, _) = SAETrainer(settings: other, layer: layer).train(model: model, inputs: data.train, progressEvery: max(1, settings.steps / 50))
            evaluations.append(SAEMetrics.evaluate(otherSAE, model: model, layer: layer, inputs: data.test, labels: data.testLabels,
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
        let sae = try SAELensSAE.read(from: saeDirectory)
        switch try load(modelConfigPath, dataPath: dataPath) {
        case .mlp(let model, let data):
            return try evaluateSAELens(sae, saeDirectory: saeDirectory, layer: asked, model: model, data: data, modelPath: modelConfigPath,
                                       dataPath: dataPath, producer: producer)
        case .gpt2(let model, let data):
            return try evaluateSAELens(sae, saeDirectory: saeDirectory, layer: asked, model: model, data: data, modelPath: modelConfigPath,
                                       dataPath: dataPath, producer: producer)
        }
    }

    static func evaluateSAELens<Model: HookedModel>(_ sae: SAELensSAE, saeDirectory: String, layer asked: String?, model: Model,
                                                    data: RunData<Model.Inputs>, modelPath: String, dataPath: String?,
                                                    producer: EvidenceRecord.Producer) throws -> (record: EvidenceRecord, evaluation: SAEEvaluation, sae: SAELensSAE) {
        let candidates = model.replaceableHooks
        if let asked, let hook = sae.hookName, asked != hook {
            throw RunError.noData("the SAE in \(saeDirectory) reads `\(hook)` (its cfg.json says so), not `\(asked)`; drop --layer, or evaluate an SAE trained on `\(asked)`")
        }
        guard let layer = asked ?? sae.hookName else {
            throw RunError.noData("the SAE in \(saeDirectory) names no hook in its cfg.json; say where it reads with --layer (one of: \(candidates.joined(separator: ", ")))")
        }
        guard let width = model.width(of: layer), candidates.contains(layer) else { throw RunError.badLayer(layer, candidates) }
        guard sae.inputDimension == width else {
            throw RunError.noData("the SAE in \(saeDirectory) reads \(sae.inputDimension)-wide activations, but `\(layer)` of the model is \(width) wide")
        }
        let evaluation = SAEMetrics.evaluate(sae, model: model, layer: layer, inputs: data.test, labels: data.testLabels, trainingWindow: data.train)
        var record = EvidenceRecord(kind: "interpretability.sae", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "\(sae.architecture.rawValue) SAE (SAELens layout, \(sae.dictionarySize) features) from \((saeDirectory as NSString).lastPathComponent) on \(layer) of \(modelName(modelPath))"
        record.subject = try subject(modelPath, model)
        record.method = .init(name: "sae", version: methodVersion)
        record.provenance = .derived
        var configuration = sae.recordConfiguration
        configuration["layer"] = .string(layer)
        configuration["evaluated"] = .string(saeDirectory)
        configuration["trained_by_warrant"] = .bool(false)
        configuration["intervals"] = Bootstrap().recordConfiguration
        if let dataPath { configuration[data.fileKey] = .string(dataPath) }
        record.configuration = configuration
        record.dataset = .init(name: data.name, sha256: data.sha256)
        for (name, m) in evaluation.metrics { record.metrics[name] = .init(m.value, interval: m.interval, definition: m.definition) }
        for file in ["sae_weights.safetensors", "cfg.json"] {
            let path = saeDirectory + "/" + file
            if let sha = try? Hashing.sha256Hex(fileAt: path) { record.artifacts.append(.init(path: path, sha256: sha)) }
        }
        return (record, evaluation, sae)
    }

    func finish<Model: HookedModel>(_ sae: SparseAutoencoder, model: Model, data: RunData<Model.Inputs>, outputDirectory: String,
                                    producer: EvidenceRecord.Producer, trained: Bool) throws -> Result {
        let evaluation = SAEMetrics.evaluate(sae, model: model, layer: layer, inputs: data.test, labels: data.testLabels, trainingWindow: data.train)
        if trained { try sae.write(to: outputDirectory, hookName: layer, metadata: ["warrant_loss": .string(settings.loss.rawValue)]) }
        var record = EvidenceRecord(kind: "interpretability.sae", producer: producer)
        record.producer.numerics = OpenBLAS.configuration
        record.title = "\(settings.loss.rawValue) SAE on \(layer) of \(Self.modelName(modelConfigPath))"
        record.subject = try Self.subject(modelConfigPath, model)
        record.method = .init(name: "sae", version: Self.methodVersion)
        record.provenance = .derived
        record.configuration = configuration(trained: trained, saeDirectory: outputDirectory, fileKey: data.fileKey)
        record.dataset = .init(name: data.name, sha256: data.sha256)
        for (name, m) in evaluation.metrics { record.metrics[name] = .init(m.value, interval: m.interval, definition: m.definition) }
        for file in ["sae_weights.safetensors", "cfg.json"] {
            let path = outputDirectory + "/" + file
            if let sha = try? Hashing.sha256Hex(fileAt: path) { record.artifacts.append(.init(path: path, sha256: sha)) }
        }
        return Result(sae: sae, evaluation: evaluation, record: record, saeDirectory: outputDirectory)
    }

    /// The recipe's configuration, under the names a case's `eval:` uses.
    public func configuration(trained: Bool, saeDirectory: String, fileKey: String = "data") -> [String: JSONValue] {
        var c: [String: JSONValue] = [
            "layer": .string(layer), "loss": .string(settings.loss.rawValue),
            "dict_size": .number(Double(settings.dictionarySize)), "lambda": .number(settings.lambda),
            "steps": .number(Double(settings.steps)), "batch_size": .number(Double(settings.batchSize)),
            "learning_rate": .number(settings.learningRate), "seed": .number(Double(settings.seed)),
            "warmup_steps": .number(Double(settings.schedule.warmupSteps)), "clip_norm": .number(settings.clipNorm),
            "trained_by_warrant": .bool(trained), "intervals": Bootstrap().recordConfiguration, "seeds": .number(Double(settings.seeds)),
        ]
        if settings.loss == .e2eDownstream { c["beta"] = .number(settings.beta) }
        if let name = dataLabel ?? dataPath { c[fileKey] = .string(name) }
        return c
    }

    /// How records and titles name the model at `path` (`model.json`, a folder's name).
    static func modelName(_ path: String) -> String {
        (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).lastPathComponent
    }

    /// The record subject of an evaluation of the model at `path`: named after the model's
    /// folder (as `examples/models/modadd` gives `modadd`), identified by the SHA-256 of its
    /// weights (a Warrant model) or of its folder's files (``Hashing/modelSHA256(at:scope:)``).
    static func subject<Model: HookedModel>(_ path: String, _ model: Model) throws -> EvidenceRecord.Subject {
        switch try LoadedModel.Location(path) {
        case .warrantConfig(let config):
            let weights = try (model as? MLP<Float>)?.config.weights ?? MLPConfig.load(configPath: config).weights
            let name = (config as NSString).deletingLastPathComponent.split(separator: "/").last.map(String.init)
            return .init(name: name, sha256: try Hashing.sha256Hex(fileAt: weightsPath(config, weights)))
        case .huggingFaceFolder(let folder):
            return .init(name: modelName(folder), sha256: try Hashing.modelSHA256(at: folder))
        }
    }

    static func weightsPath(_ configPath: String, _ weights: String) -> String {
        let dir = (configPath as NSString).deletingLastPathComponent
        return weights.hasPrefix("/") || dir.isEmpty ? weights : dir + "/" + weights
    }
}
