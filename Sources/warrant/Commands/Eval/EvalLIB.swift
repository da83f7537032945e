import ArgumentParser
import Foundation
import WarrantEvals
import WarrantJSON
import WarrantKit

struct EvalLIB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lib",
        abstract: "Compute the Local Interaction Basis of a ReLU MLP and its interaction graph, with the PCA baseline.",
        discussion: """
        Per node layer, for LIB and PCA alike: kept dimensions, and how many directions hold 90 % \
        and 99 % of the importance; node-ablation curves on the held-out split (rib's \
        ExponentialSchedule: every k up to 10, then exp_base 1.05) and the smallest k within \
        0.001 accuracy. Per transition: how many of the largest squared gradient×input edges \
        hold 90 % and 99 % of the total, and how many are required to stay within 0.001 \
        accuracy (rib's bisection). Held-out accuracies carry bootstrap 95 % intervals. One \
        evidence record; the bases (C, C⁺, Λ, means) and the interaction graphs go to \
        lib.safetensors (Float64), which the record names by SHA-256.

        The constant (bias) direction is, by default, a node outside the basis with its own \
        importance (activations mean-centred); --fold-bias folds it into the basis exactly as \
        rib does (center=True): the first basis direction, differentiated through, its edges \
        free in edge ablations and left out of spectra.
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "Relative eigenvalue threshold for truncation.")
    var threshold: Double = 1e-12

    @Flag(help: "Fold the bias into the basis as a constant direction, exactly as rib computes it.")
    var foldBias = false

    func validate() throws {
        try checkFlags(LIBRun.recipeSchema, ["threshold": threshold])
    }

    @Option(help: "Where to write lib.safetensors, the bases and graphs. (default: .warrant/artifacts/lib beside the store)")
    var out: String?

    func run() throws {
        useFastestBLASKernels()
        let start = Date()
        let output = out ?? options.artifacts("lib" + (foldBias ? "-folded" : ""))
        let result = try orExit {
            try LIBRun(modelConfigPath: options.model, threshold: threshold, dataPath: options.data, foldBias: foldBias)
                .run(producer: .current(), outputDirectory: output) { printError("  \($0)") }
        }
        for name in result.metrics.keys.sorted() {
            print("  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(DisplayNumber.format(result.metrics[name]!.0))")
        }
        print(String(format: "  (%.1f s)", Date().timeIntervalSince(start)))
        try options.store(result.record)
    }
}
