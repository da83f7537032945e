import ArgumentParser
import Foundation
import WarrantJSON
import WarrantNumerics

struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Models for the built-in evaluations.",
        subcommands: [ModelTrain.self, ModelInfo.self]
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

    func validate() throws {
        guard name == "modadd" else { throw ValidationError("Unknown demo model '\(name)'; the one built in is modadd.") }
    }

    func run() throws {
        var settings = ModularAddition.Settings()
        settings.seed = seed
        if let steps { settings.steps = steps }
        if let hidden {
            let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
                printError("error: --hidden takes positive widths such as 256,256")
                throw ExitCode(2)
            }
            settings.hidden = widths
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
        let model: MLP<Float>
        do {
            model = try MLP<Float>.load(configPath: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        for (i, l) in model.config.layers.enumerated() {
            print("layer \(i): \(l.inputs) -> \(l.outputs), \(l.activation.rawValue)  (\(l.weight)\(l.bias.map { ", \($0)" } ?? ""))")
        }
        print("activations: " + model.config.activationNames.joined(separator: ", "))
    }
}
