import ArgumentParser
import Foundation
import WarrantNumerics

struct ModelTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a built-in demo model on addition modulo 113: modadd (an MLP) or modadd-transformer (GPT-2 architecture).",
        discussion: """
        Deterministic given the seed: the same seed gives the same bytes. modadd writes \
        model.safetensors, model.json (the config that `warrant eval` takes) and \
        training.json (seed, split, accuracy curve) into --out. modadd-transformer writes a \
        Hugging Face folder (config.json, model.safetensors under GPT-2's names, which \
        transformers loads too), training.json and tokens.npy (every pair as `a b =`): \
        one block, width 128, 4 heads, ReLU MLP 512, trained full-batch with AdamW on the \
        sum at the last position.

          warrant model train modadd-transformer --out models/modadd-transformer
        """
    )

    @Argument(help: "The demo model to train: modadd or modadd-transformer.")
    var name: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Output folder.")
    var out: String = "modadd"

    @Option(help: "Training steps.")
    var steps: Int?

    @Option(help: "Hidden layer widths, comma-separated (modadd).")
    var hidden: String?

    @Option(help: "Share of all pairs used for training (the rest is held out).")
    var trainFraction: Double?

    @Option(help: "Adam learning rate.")
    var learningRate: Double?

    @Option(help: "Decoupled (AdamW) weight decay.")
    var weightDecay: Double?

    @Option(help: "Mini-batch size (0: the whole training set).")
    var batchSize: Int?

    @Option(help: "Residual stream width (modadd-transformer).")
    var width: Int?

    @Option(help: "Stop at the first evaluation (every 100 steps) whose held-out accuracy reaches this (modadd-transformer; default 1).")
    var targetAccuracy: Double?

    func validate() throws {
        guard ["modadd", "modadd-transformer"].contains(name) else {
            throw ValidationError("Unknown demo model '\(name)'; the ones built in are modadd and modadd-transformer.")
        }
        if let width, !(1...4096).contains(width) || width % 4 != 0 { throw ValidationError("--width must be a multiple of 4 (the heads) from 4 to 4096") }
        if let targetAccuracy, !(targetAccuracy > 0 && targetAccuracy <= 1) { throw ValidationError("--target-accuracy must be above 0, at most 1") }
        if name == "modadd-transformer" && hidden != nil { throw ValidationError("--hidden is for modadd; the transformer takes --width") }
        // Out-of-range values trapped (a training fraction of 1.5) or allocated without bound
        // (a width of 10^9); refuse them before anything is allocated.
        if let steps, !(0...10_000_000).contains(steps) { throw ValidationError("--steps must be from 0 to 10000000") }
        if let trainFraction, !(trainFraction > 0 && trainFraction < 1) {
            throw ValidationError("--train-fraction must lie strictly between 0 and 1")
        }
        if let learningRate, !(learningRate.isFinite && learningRate > 0 && learningRate <= 10) {
            throw ValidationError("--learning-rate must be a finite number above 0, at most 10")
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0 && weightDecay <= 10) {
            throw ValidationError("--weight-decay must be a finite number from 0 to 10")
        }
        if let batchSize, !(0...1_000_000).contains(batchSize) { throw ValidationError("--batch-size must be from 0 to 1000000") }
        if let hidden {
            let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !widths.isEmpty, widths.count <= 8, widths.allSatisfy({ $0.map { (1...16_384).contains($0) } ?? false }) else {
                throw ValidationError("--hidden takes up to 8 widths from 1 to 16384, such as 256,256")
            }
        }
    }

    func run() throws {
        useFastestBLASKernels()
        if name == "modadd-transformer" { return try trainTransformer() }
        var settings = ModularAddition.Settings()
        settings.seed = seed
        if let steps { settings.steps = steps }
        if let trainFraction { settings.trainFraction = trainFraction }
        if let learningRate { settings.learningRate = learningRate }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let batchSize { settings.batchSize = batchSize }
        if let hidden {
            settings.hidden = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        let start = Date()
        printError("training modadd: p = \(settings.modulus), hidden \(settings.hidden), \(settings.steps) steps, seed \(seed)")
        let (model, summary) = ModularAddition.train(settings) { step, loss, acc in
            printError(String(format: "  step %5d  loss %.4f  held-out accuracy %.4f", step, loss, acc))
        }
        do {
            try ModularAddition.write(model, summary, to: out)
        } catch {
            printError("error: cannot write into \(out): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        print(String(format: "wrote %@/model.safetensors, model.json, training.json: held-out accuracy %.4f, train %.4f (%.1f s)",
                     out, summary.testAccuracy, summary.trainAccuracy, Date().timeIntervalSince(start)))
    }

    func trainTransformer() throws {
        var settings = ModularAdditionTransformer.Settings()
        settings.seed = seed
        if let steps { settings.steps = steps }
        if let trainFraction { settings.trainFraction = trainFraction }
        if let learningRate { settings.learningRate = learningRate }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let batchSize { settings.batchSize = batchSize }
        if let width { settings.width = width; settings.mlpWidth = 4 * width }
        if let targetAccuracy { settings.targetAccuracy = targetAccuracy }
        let start = Date()
        printError("training modadd-transformer: p = \(settings.modulus), \(settings.layers) block, width \(settings.width), "
                   + "\(settings.heads) heads, MLP \(settings.mlpWidth), \(settings.steps) steps, seed \(seed)")
        let (model, summary) = ModularAdditionTransformer.train(settings) { step, loss, acc in
            printError(String(format: "  step %5d  loss %.4f  held-out accuracy %.4f", step, loss, acc))
        }
        do {
            try ModularAdditionTransformer.write(model, summary, to: out)
        } catch {
            printError("error: cannot write into \(out): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        print(String(format: "wrote %@/config.json, model.safetensors, training.json, tokens.npy: held-out accuracy %.4f, train %.4f (%.1f s)",
                     out, summary.testAccuracy, summary.trainAccuracy, Date().timeIntervalSince(start)))
    }
}
