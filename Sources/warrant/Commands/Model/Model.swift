import ArgumentParser
import WarrantNumerics

struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Models for the built-in evaluations: Warrant's own MLPs and Hugging Face GPT-2 folders.",
        subcommands: [ModelTrain.self, ModelInfo.self, ModelActivations.self, ModelTokenize.self]
    )
}

/// Loads a model (a Warrant model.json, or a folder: Hugging Face or Warrant's); a bad file
/// is exit 2 with the reason.
func loadModel(_ path: String) throws -> LoadedModel {
    try orExit { try LoadedModel.load(path) }
}
