import ArgumentParser
import Foundation
import WarrantJSON
import WarrantNumerics

struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Models for the built-in evaluations.",
        subcommands: [ModelTrain.self, ModelInfo.self, ModelActivations.self]
    )
}

struct ModelTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a built-in demo model (modadd: an MLP on addition modulo 113).",
        discussion: """
        Deterministic given the seed: the same seed gives the same bytes. Writes \
        model.safetensors, model.json (the config that `warrant eval` takes) and \
        training.json (seed, split, accuracy curve) into --out.
        """
    )

    @Argument(help: "The demo model to train: modadd.")
    var name: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Output folder.")
    var out: String = "modadd"

    @Option(help: "Training steps.")
    var steps: Int?

    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden: String?

    @Option(help: "Share of all pairs used for training (the rest is held out).")
    var trainFraction: Double?

    @Option(help: "Adam learning rate.")
    var learningRate: Double?

    @Option(help: "Decoupled (AdamW) weight decay.")
    var weightDecay: Double?

    @Option(help: "Mini-batch size (0: the whole training set).")
    var batchSize: Int?

    func validate() throws {
        guard name == "modadd" else { throw ValidationError("Unknown demo model '\(name)'; the one built in is modadd.") }
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
}

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a model config and its weights.")

    @Argument(help: "The model config (JSON).")
    var config: String

    func run() throws {
        let model = try loadModel(config)
        for (i, l) in model.config.layers.enumerated() {
            print("layer \(i): \(l.inputs) -> \(l.outputs), \(l.activation.rawValue)  (\(l.weight)\(l.bias.map { ", \($0)" } ?? ""))")
        }
        print("activations: " + model.config.activationNames.joined(separator: ", "))
    }
}

struct ModelActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "Write a layer's activations on the model's task data as .npy (for numpy and other tools).",
        discussion: "For the modadd model the data is every pair (a, b), in the order a·p + b."
    )

    @Argument(help: "The model config (JSON).")
    var config: String

    @Option(help: "The activation: input, hidden.i.pre, hidden.i or logits (`warrant model info` lists them).")
    var layer: String

    @Option(help: "Output .npy file.")
    var out: String

    func run() throws {
        let model = try loadModel(config)
        guard let p = model.config.modularAdditionModulus else {
            printError("error: this model's config names no task data (only modular_addition models carry their data)")
            throw ExitCode(2)
        }
        let (x, _) = ModularAddition.dataset(modulus: p)
        guard let activations = model.forward(x)[layer] else {
            printError("error: no activation '\(layer)'; this model has: \(model.config.activationNames.joined(separator: ", "))")
            throw ExitCode(2)
        }
        do {
            try NPYArray(shape: [activations.rows, activations.cols], dtype: .f32, values: activations.storage.map(Double.init)).write(to: out)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print("wrote \(out): \(activations.rows) × \(activations.cols) float32")
    }
}

/// Loads a model config and its weights; a bad file is exit 2 with the reason.
func loadModel(_ config: String) throws -> MLP<Float> {
    try orExit { try MLP<Float>.load(configPath: config) }
}
