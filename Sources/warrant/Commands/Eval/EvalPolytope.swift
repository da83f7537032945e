import ArgumentParser
import Foundation
import WarrantEvals
import WarrantJSON
import WarrantKit

struct EvalPolytope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polytope",
        abstract: "Measure the polytopes a ReLU model carves its input (or a layer's activation space) into.",
        discussion: """
        Region counts over the held-out data; exact line walks between same-label and \
        different-label pairs (every crossing, density per unit length and its profile, where \
        the prediction changes); scaling rays; and clustering purity by code against by \
        activation. One evidence record with every metric and its definition; the tie \
        convention (z > 0) is recorded in its configuration.
        """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "Where to walk: input, or hidden.L for layer L's activation space.")
    var layer: String = "input"

    @Option(help: "Pairs of each kind (same label, different label).")
    var pairs: Int = 50

    @Option(help: "Random seed for choosing pairs.")
    var seed: UInt64 = 0

    func validate() throws {
        try checkFlags(PolytopeRun.recipeSchema, ["pairs": Double(pairs), "seed": Double(seed)])
    }

    func run() throws {
        useFastestBLASKernels()
        let start = Date()
        let progress = Progress(total: 2 * pairs, label: "polytope walks")
        let result: PolytopeRun.Result = try orExit {
            let walked = try PolytopeRun(modelConfigPath: options.model, layer: layer, pairs: pairs, seed: seed, dataPath: options.data)
                .run(producer: .current()) { done, total in progress.update(done, "\(done)/\(total) paths") }
            progress.finish()
            return walked
        }
        for name in ["regions", "unique_fraction", "singleton_fraction", "density_same_mean", "density_different_mean",
                     "prediction_change_to_peak", "scaling_crossings_mean", "purity_code", "purity_activation", "nmi_code", "nmi_activation"] {
            if let m = result.metrics[name] {
                print("  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(DisplayNumber.format(m.value))")
            }
        }
        print(String(format: "  (%.1f s)", Date().timeIntervalSince(start)))
        try options.store(result.record)
    }
}
