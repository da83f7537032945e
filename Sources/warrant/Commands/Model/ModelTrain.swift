import ArgumentParser
import Foundation
import WarrantNumerics

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
        useFastestBLASKernels()
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
