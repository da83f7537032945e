import ArgumentParser
import WarrantNumerics

struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Models for the built-in evaluations.",
        subcommands: [ModelTrain.self, ModelInfo.self, ModelActivations.self]
    )
}

/// Loads a model config and its weights; a bad file is exit 2 with the reason.
func loadModel(_ config: String) throws -> MLP<Float> {
    try orExit { try MLP<Float>.load(configPath: config) }
}
