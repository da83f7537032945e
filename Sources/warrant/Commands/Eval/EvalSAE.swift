import ArgumentParser
import Foundation
import WarrantEvals
import WarrantJSON
import WarrantKit

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

        On a Hugging Face GPT-2 folder, give token ids and a TransformerLens hook; a batch is \
        --batch-size sequences, every position of each:

          warrant eval sae --model gpt2-folder --tokens tokens.npy \\
              --layer blocks.1.hook_resid_pre --loss e2e --batch-size 8
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "The activation to read and replace, e.g. hidden.0 (`warrant model info` lists them). (default: hidden.0 for training; with --evaluate, the SAE's own hook)")
    var layer: String?

    @Option(help: "Training loss: local, e2e or e2e+ds.")
    var loss: String = "local"

    @Option(help: "Dictionary size.")
    var dictSize: Int = 512

    @Option(help: "Sparsity coefficient λ (the loss uses λ/d).")
    var lambda: Double = 0.1

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

    @Option(help: "Train this many seeds (seed, seed+1, ...) and record every metric's spread across them.")
    var seeds: Int = 1

    @Option(help: "Evaluate this SAE (a folder in SAELens layout: cfg.json and sae_weights.safetensors; standard, topk, jumprelu or gated) instead of training one.")
    var evaluate: String?

    @Option(help: "Where to write the SAE. (default: .warrant/artifacts/sae-LOSS-LAYER-lLAMBDA-sSEED beside the store)")
    var out: String?

    func validate() throws {
        guard SAELoss(rawValue: loss) != nil else { throw ValidationError("--loss takes local, e2e or e2e+ds") }
        try checkFlags(SAERun.recipeSchema, ["dict_size": Double(dictSize), "lambda": lambda, "beta": beta, "steps": Double(steps),
                                            "batch_size": Double(batchSize), "learning_rate": learningRate, "seed": Double(seed), "seeds": Double(seeds)])
    }

    func run() throws {
        useFastestBLASKernels()
        let start = Date()
        if let evaluate {
            let result = try orExit {
                try SAERun.evaluateSAELens(saeDirectory: evaluate, layer: self.layer, modelConfigPath: options.model,
                                           dataPath: options.inputs, producer: .current())
            }
            print("  \(result.record.title ?? "")")
            show(result.evaluation, since: start)
            try options.store(result.record)
            return
        }
        let layer = self.layer ?? "hidden.0"
        var settings = SAETrainingSettings()
        guard let lossKind = SAELoss(rawValue: loss) else { throw ValidationError("--loss takes local, e2e or e2e+ds") }
        settings.loss = lossKind
        settings.dictionarySize = dictSize
        settings.lambda = lambda
        settings.beta = beta
        settings.steps = steps
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.seed = seed
        settings.seeds = seeds
        let run = SAERun(modelConfigPath: options.model, layer: layer, settings: settings, dataPath: options.inputs)
        let output = out ?? options.artifacts("sae-\(loss)-\(layer)-l\(JSONValue.format(lambda))-s\(seed)")
        let progress = Progress(total: steps, label: "\(loss) SAE")
        let result: SAERun.Result = try orExit {
            let trained = try run.run(outputDirectory: output, producer: .current()) { step, terms in
                progress.update(step, String(format: "loss %.4f  L0 %.1f", terms.total, terms.l0))
            }
            progress.finish()
            return trained
        }
        show(result.evaluation, since: start)
        print("SAE written to \(result.saeDirectory)")
        try options.store(result.record)
    }

    /// The main metrics, rounded for reading; the record keeps them whole.
    func show(_ e: SAEEvaluation, since start: Date) {
        let shown = ["l0", "alive", "explained_variance", "mse", "kl", "ce_increase", "ce_score", "kl_score", "l2_ratio"]
        let names = shown + e.metrics.keys.sorted().filter({ $0.hasPrefix("downstream_mse.") })
        // Names are padded, never cut (`downstream_mse.blocks.1.hook_resid_post` is long).
        let width = max(20, names.filter { e[$0] != nil }.map(\.count).max() ?? 0)
        for name in names {
            if let v = e[name] { print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0)) \(DisplayNumber.format(v))") }
        }
        print(String(format: "  (%d held-out tokens, %.1f s)", e.tokens, Date().timeIntervalSince(start)))
    }
}
