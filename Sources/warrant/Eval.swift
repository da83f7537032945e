import ArgumentParser
import Foundation
import WarrantCore
import WarrantEvals
import WarrantEvidence
import WarrantJSON

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a built-in interpretability evaluation and store its result as evidence.",
        subcommands: [EvalSAE.self, EvalLIB.self, EvalPolytope.self]
    )
}

/// The options every `eval` command shares: the model, its data, and where the record goes.
struct EvaluationOptions: ParsableArguments {
    @Option(help: "The model config (JSON).")
    var model: String

    @Option(help: "Model inputs as .npy (default: the model's task data).")
    var data: String?

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Do not store a record; print the metrics only.")
    var noStore = false

    /// `.warrant/artifacts/NAME` beside the store's `.warrant` folder (here, for a store given
    /// as a bare file name).
    func artifacts(_ name: String) -> String {
        let storeDir = ((storeOptions.path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return (storeDir.isEmpty ? "" : storeDir + "/") + ".warrant/artifacts/" + name
    }

    /// Appends the record to the store and prints its id, unless --no-store.
    func store(_ record: EvidenceRecord) throws {
        if !noStore { try append(record, to: storeOptions.open(create: true)) }
    }
}

struct EvalSAE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sae",
        abstract: "Train and evaluate a sparse autoencoder (local, e2e or e2e+ds) on a layer of a model.",
        discussion: """
        Trains an SAE on the model's training data (for the demo model, the training split of \
        its pairs), evaluates it on held-out data, writes it in SAELens layout \
        (sae_weights.safetensors + cfg.json) and stores an evidence record with every metric and \
        its definition, the configuration, and the model, data and SAE hashes. With --evaluate, \
        an existing SAE in SAELens layout is evaluated instead of trained.

          warrant eval sae --model examples/models/modadd/model.json --layer hidden.0 \\
              --loss e2e --dict-size 512 --lambda 2 --steps 2000 --seed 0
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "The activation to read and replace, e.g. hidden.0 (`warrant model info` lists them).")
    var layer: String = "hidden.0"

    @Option(help: "Training loss: local, e2e or e2e+ds.")
    var loss: String = "local"

    @Option(help: "Dictionary size.")
    var dictSize: Int = 512

    @Option(help: "Sparsity coefficient λ (the loss uses λ/d).")
    var lambda: Double = 1

    @Option(help: "Downstream weight β for e2e+ds.")
    var beta: Double = 2.5

    @Option(help: "Training steps.")
    var steps: Int = 2000

    @Option(help: "Batch size.")
    var batchSize: Int = 256

    @Option(help: "Peak learning rate (warm-up, then cosine to 10%).")
    var learningRate: Double = 1e-3

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Evaluate this SAE (SAELens layout) instead of training one.")
    var evaluate: String?

    @Option(help: "Where to write the SAE. (default: .warrant/artifacts/sae-LOSS-LAYER-lLAMBDA-sSEED beside the store)")
    var out: String?

    func validate() throws {
        guard SAELoss(rawValue: loss) != nil else { throw ValidationError("--loss takes local, e2e or e2e+ds") }
        try checkFlags(BuiltInRecipes.sae, ["dict_size": Double(dictSize), "lambda": lambda, "beta": beta, "steps": Double(steps),
                                            "batch_size": Double(batchSize), "learning_rate": learningRate, "seed": Double(seed)])
    }

    func run() throws {
        var settings = SAETrainingSettings()
        settings.loss = SAELoss(rawValue: loss)!
        settings.dictionarySize = dictSize
        settings.lambda = lambda
        settings.beta = beta
        settings.steps = steps
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.seed = seed
        let run = SAERun(modelConfigPath: options.model, layer: layer, settings: settings, dataPath: options.data)
        let output = out ?? options.artifacts("sae-\(loss)-\(layer)-l\(JSONValue.format(lambda))-s\(seed)")
        let start = Date()
        let progress = Progress(total: steps, label: "\(loss) SAE")
        let result: SAERun.Result = try orExit {
            if let evaluate {
                return try run.evaluateOnly(saeDirectory: evaluate, producer: currentProducer())
            }
            let trained = try run.run(outputDirectory: output, producer: currentProducer()) { step, terms in
                progress.update(step, String(format: "loss %.4f  L0 %.1f", terms.total, terms.l0))
            }
            progress.finish()
            return trained
        }
        let e = result.evaluation
        let shown = ["l0", "alive", "explained_variance", "mse", "kl", "ce_increase", "ce_score", "kl_score", "l2_ratio"]
        for name in shown {
            if let v = e[name] { print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(JSONValue.format((v * 1e6).rounded() / 1e6))") }
        }
        for name in e.metrics.keys.sorted() where name.hasPrefix("downstream_mse.") {
            print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(JSONValue.format((e[name]! * 1e6).rounded() / 1e6))")
        }
        print(String(format: "  (%d held-out tokens, %.1f s)", e.tokens, Date().timeIntervalSince(start)))
        if evaluate == nil { print("SAE written to \(result.saeDirectory)") }
        try options.store(result.record)
    }
}

/// Progress on standard error: a bar on a terminal, plain lines otherwise.
final class Progress {
    let total: Int
    let label: String
    let terminal = isatty(STDERR_FILENO) == 1
    var lastLine = -1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ step: Int, _ detail: String) {
        if terminal {
            let width = 30, filled = width * step / max(1, total)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(step)/\(total)  \(detail)   ".utf8))
        } else {
            // Plain lines, about every 10%.
            let decile = step * 10 / max(1, total)
            if decile != lastLine {
                lastLine = decile
                printError("\(label): step \(step)/\(total)  \(detail)")
            }
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

struct EvalPolytope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polytope",
        abstract: "Measure the polytopes a ReLU model carves its input (or a layer's activation space) into.",
        discussion: """
        Region counts over the held-out data; exact line walks between same-label and \
        different-label pairs (every crossing, density per unit length and its profile, where \
        the prediction changes); scaling rays; and clustering purity by code against by \
        activation. One evidence record with every metric and its definition; the tie \
        convention (z > 0) is recorded in its configuration.
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "Where to walk: input, or hidden.L for layer L's activation space.")
    var layer: String = "input"

    @Option(help: "Pairs of each kind (same label, different label).")
    var pairs: Int = 50

    @Option(help: "Random seed for choosing pairs.")
    var seed: UInt64 = 0

    func validate() throws {
        try checkFlags(BuiltInRecipes.polytope, ["pairs": Double(pairs), "seed": Double(seed)])
    }

    func run() throws {
        let start = Date()
        let progress = Progress(total: 2 * pairs, label: "polytope walks")
        let result: PolytopeRun.Result = try orExit {
            let walked = try PolytopeRun(modelConfigPath: options.model, layer: layer, pairs: pairs, seed: seed, dataPath: options.data)
                .run(producer: currentProducer()) { done, total in progress.update(done, "\(done)/\(total) paths") }
            progress.finish()
            return walked
        }
        for name in ["regions", "unique_fraction", "singleton_fraction", "density_same_mean", "density_different_mean",
                     "prediction_change_to_peak", "scaling_crossings_mean", "purity_code", "purity_activation", "nmi_code", "nmi_activation"] {
            if let m = result.metrics[name] {
                print("  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(JSONValue.format((m.value * 1e6).rounded() / 1e6))")
            }
        }
        print(String(format: "  (%.1f s)", Date().timeIntervalSince(start)))
        try options.store(result.record)
    }
}

struct EvalLIB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lib",
        abstract: "Compute the Local Interaction Basis of a ReLU MLP and its interaction graph, with the PCA baseline.",
        discussion: """
        Per node layer, for LIB and PCA alike: kept dimensions, and how many directions hold 90 % \
        and 99 % of the importance; node-ablation curves on the held-out split and the smallest \
        k within 0.001 accuracy. Per transition: how many of the largest squared gradient×input \
        edges hold 90 % and 99 % of the total, and how many are required to stay within 0.001 \
        accuracy (bisection). One evidence record; the bases (C, C⁺, Λ, means) and the \
        interaction graphs go to lib.safetensors (Float64), which the record names by SHA-256.

        The constant (bias) direction is, by default, a node outside the basis with its own \
        importance (activations mean-centred); --fold-bias folds it into the basis as the \
        reference implementation does.
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "Relative eigenvalue threshold for truncation.")
    var threshold: Double = 1e-12

    @Flag(help: "Fold the bias into the basis as a constant direction (the reference's variant).")
    var foldBias = false

    func validate() throws {
        try checkFlags(BuiltInRecipes.lib, ["threshold": threshold])
    }

    @Option(help: "Where to write lib.safetensors, the bases and graphs. (default: .warrant/artifacts/lib beside the store)")
    var out: String?

    func run() throws {
        let start = Date()
        let output = out ?? options.artifacts("lib" + (foldBias ? "-folded" : ""))
        let result = try orExit {
            try LIBRun(modelConfigPath: options.model, threshold: threshold, dataPath: options.data, foldBias: foldBias)
                .run(producer: currentProducer(), outputDirectory: output) { printError("  \($0)") }
        }
        for name in result.metrics.keys.sorted() {
            print("  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(JSONValue.format(result.metrics[name]!.0))")
        }
        print(String(format: "  (%.1f s)", Date().timeIntervalSince(start)))
        try options.store(result.record)
    }
}

/// Flags of an evaluation are held to the ranges of its recipe keys (`dict_size` is
/// `--dict-size`), so the command line cannot ask for what a recipe may not.
func checkFlags(_ schema: RecipeSchema, _ values: [String: Double]) throws {
    do {
        try BuiltInRecipes.check(schema, values)
    } catch let error as BuiltInRecipes.InvalidValue {
        let flag = "--" + error.key.replacingOccurrences(of: "_", with: "-")
        throw ValidationError("\(flag) must be \(error.expected.replacingOccurrences(of: "recipe key ", with: ""))")
    }
}
