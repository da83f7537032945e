import ArgumentParser
import WarrantKit

extension ResultFileImporter.Format: ExpressibleByArgument {}

struct ImportResults: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Import the result file of another evaluation tool as derived evidence; prints the record id.",
        discussion: """
        Formats: lm-eval (lm-evaluation-harness `results_*.json`: every TASK/METRIC,FILTER, \
        with ±1.96 standard errors as its interval, n-shot and task version, git hash, date), \
        saebench (a SAEBench result JSON: every CATEGORY/METRIC of eval_result_metrics, the SAE \
        by its SAELens release and id), saelens (the JSON SAELens's evals.py writes per SAE; its \
        -1 for NaN is read as undefined, and it holds no time, so its evidence cannot be judged \
        fresh). The record names the file by SHA-256; a case links to it with `source: \
        { lm_eval: PATH }` (or `saebench:`, `saelens_eval:`), and checking reads the file again \
        and compares every metric with the record.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The result file (JSON).", completion: .file(extensions: ["json"]))
    var file: String

    @Option(help: "The file's format: lm-eval, saebench or saelens.")
    var format: ResultFileImporter.Format

    @Option(help: "The record's kind, e.g. capability_eval or interpretability.sae.")
    var kind: String

    @Option(help: "The model weights file the evaluation was about (hashed into the record).")
    var modelFile: String?

    @OptionGroup var signing: SigningOptions

    func validate() throws {
        if format == .inspect { throw ValidationError("Inspect logs have their own command: warrant evidence import inspect") }
    }

    func run() throws {
        let key = try signing.key()
        var options = InspectImporter.Options()
        options.kind = kind
        options.modelFile = modelFile
        let record = try orExit { try ResultFileImporter.record(fromFileAt: file, format: format, options: options, producer: .current()) }
        let store = try storeOptions.open(create: true)
        try signing.appendSignature(of: append(record, to: store), to: store, key: key)
    }
}
