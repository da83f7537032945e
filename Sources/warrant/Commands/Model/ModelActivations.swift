import ArgumentParser
import Foundation
import WarrantNumerics

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
        useFastestBLASKernels()
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
