import ArgumentParser
import WarrantEvals
import WarrantNumerics

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model: its layers, its hooks with their widths, and the evaluations that can run on it.",
        discussion: """
        Hooks are the activations an evaluation can read and replace (an SAE's `layer`, \
        `warrant model activations --layer`).

          warrant model info examples/models/modadd/model.json
        """
    )

    @Argument(help: "The model config (JSON).")
    var config: String

    func run() throws {
        let model = try loadModel(config)
        print(model.architecture)
        for (i, l) in model.config.layers.enumerated() {
            print("layer \(i): \(l.inputs) -> \(l.outputs), \(l.activation.rawValue)  (\(l.weight)\(l.bias.map { ", \($0)" } ?? ""))")
        }
        print("hooks:")
        for hook in model.hookNames { print("  \(hook.padding(toLength: 16, withPad: " ", startingAt: 0)) \(model.width(of: hook) ?? 0)") }
        let kind = ModelKind(architecture: model.architecture, traits: model.traits)
        print("evaluations:")
        for method in Evaluations.all {
            print("  \(method.method.padding(toLength: 16, withPad: " ", startingAt: 0)) " + (method.refusal(for: kind).map { "no: \($0)" } ?? "yes"))
        }
    }
}
