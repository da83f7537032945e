import ArgumentParser

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a built-in interpretability evaluation and store its result as evidence.",
        subcommands: [EvalSAE.self, EvalLIB.self, EvalPolytope.self]
    )
}
