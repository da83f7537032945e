import ArgumentParser
import WarrantNumerics

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
