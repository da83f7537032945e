import ArgumentParser
import WarrantEvals
import WarrantNumerics

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model: its layers, its hooks with their widths, and the evaluations that can run on it.",
        discussion: """
        Hooks are the activations an evaluation can read and replace (an SAE's `layer`, \
        `warrant model activations --layer`). A Hugging Face GPT-2 folder's hooks carry \
        TransformerLens's names (blocks.0.hook_resid_pre, ...).

          warrant model info examples/models/modadd/model.json
          warrant model info path/to/gpt2-folder
        """
    )

    @Argument(help: "The model: a Warrant model.json, or a folder (Hugging Face: config.json and model.safetensors).")
    var model: String

    func run() throws {
        let loaded = try loadModel(model)
        print(loaded.architecture)
        if case .mlp(let mlp) = loaded {
            for (i, l) in mlp.config.layers.enumerated() {
                print("layer \(i): \(l.inputs) -> \(l.outputs), \(l.activation.rawValue)  (\(l.weight)\(l.bias.map { ", \($0)" } ?? ""))")
            }
        }
        print("hooks:")
        let column = max(16, (loaded.hookNames.map(\.count).max() ?? 0) + 2)
        for hook in loaded.hookNames {
            print("  \(hook.padding(toLength: column, withPad: " ", startingAt: 0))\(loaded.width(of: hook) ?? 0)")
        }
        let kind = ModelKind(architecture: loaded.architecture, traits: loaded.traits)
        print("evaluations:")
        for method in Evaluations.all {
            print("  \(method.method.padding(toLength: column, withPad: " ", startingAt: 0))" + (method.refusal(for: kind).map { "no: \($0)" } ?? "yes"))
        }
    }
}
