import ArgumentParser
import Foundation
import WarrantNumerics

struct ModelActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "Write a hook's activations (or the logits) as float32 .npy, for numpy and other tools.",
        discussion: """
        For a Warrant MLP the data is its task's (for modadd every pair (a, b), in the order \
        a·p + b) or --data; for a transformer, --tokens (sequences × context token ids). A \
        transformer's rows are its positions, sequence by sequence (row s·context + t is token \
        t of sequence s).

          warrant model activations examples/models/modadd/model.json --layer hidden.0 --out h.npy
          warrant model activations gpt2-folder --tokens tokens.npy --layer blocks.1.hook_resid_pre --out x.npy
        """
    )

    @Argument(help: "The model: a Warrant model.json, or a folder (Hugging Face: config.json and model.safetensors).")
    var model: String

    @Option(help: "The hook, or logits (`warrant model info` lists them).")
    var layer: String

    @Option(help: "Token ids for a transformer: .npy (int32/int64) or .safetensors (I32/I64), sequences × context.")
    var tokens: String?

    @Option(help: "Inputs for an MLP as .npy, rows × inputs (default: the model's task data).")
    var data: String?

    @Option(help: "Output .npy file.")
    var out: String

    func run() throws {
        useFastestBLASKernels()
        let loaded = try loadModel(model)
        guard loaded.width(of: layer) != nil else {
            printError("error: no hook '\(layer)'; this model has: \(loaded.hookNames.joined(separator: ", "))")
            throw ExitCode(2)
        }
        let activations: Matrix<Float>
        switch loaded {
        case .mlp(let mlp):
            let x: Matrix<Float>
            if let data {
                x = try orExit { try NPYArray(contentsOf: data).matrix(as: Float.self) }
                guard x.cols == mlp.config.layers.first?.inputs else {
                    printError("error: \(data) has \(x.cols) columns; the model takes \(mlp.config.layers.first?.inputs ?? 0) inputs")
                    throw ExitCode(2)
                }
            } else if let p = mlp.config.modularAdditionModulus {
                x = ModularAddition.dataset(modulus: p).0
            } else {
                printError("error: this model's config names no task data; give --data FILE.npy with its inputs")
                throw ExitCode(2)
            }
            activations = mlp.forward(x, replacing: [:])[hook: layer] ?? Matrix(rows: 0, cols: 0)
        case .gpt2(let gpt2):
            guard let tokens else {
                printError("error: a transformer runs on token ids; give --tokens FILE.npy (sequences × context)")
                throw ExitCode(2)
            }
            let batch = try orExit { () throws -> TokenBatch in
                let batch = try TokenBatch.read(tokens)
                try gpt2.check(batch)
                return batch
            }
            activations = gpt2.forward(batch, replacing: [:], keeping: [layer])[hook: layer] ?? Matrix(rows: 0, cols: 0)
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
