import ArgumentParser
import WarrantKit

struct ImportInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Import an Inspect (inspect_ai) evaluation log, .eval or .json; prints the record id.",
        discussion: """
        Keeps the task, model, creation time, status, the eval code's git revision and dirty \
        flag, sample counts, every scorer's metrics, and the log's SHA-256. Logs whose status \
        is not `success` are refused unless --allow-incomplete, logs with invalidated samples \
        unless --allow-invalidated, and logs of an unknown format version or with an \
        unparseable or future `eval.created` always. A case links to the imported log with \
        `source: { inspect: PATH }` on an evidence node; checking reads the log again and \
        compares every metric with the record.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The log (.eval, zstd or deflate, or .json).", completion: .file(extensions: ["eval", "json"]))
    var log: String

    @Flag(help: "Import a log whose status is not success.")
    var allowIncomplete = false

    @Flag(help: "Import a log with invalidated samples.")
    var allowInvalidated = false

    @Option(help: "The record's kind (default: inspect), e.g. capability_eval or sabotage_eval.")
    var kind: String = "inspect"

    @Option(help: "The model weights file the evaluation was about (hashed into the record).")
    var modelFile: String?

    @OptionGroup var signing: SigningOptions

    func run() throws {
        let key = try signing.key()
        var options = InspectImporter.Options()
        options.allowIncomplete = allowIncomplete
        options.allowInvalidated = allowInvalidated
        options.kind = kind
        options.modelFile = modelFile
        let record: EvidenceRecord
        do {
            record = try InspectImporter.record(fromLogAt: log, options: options, producer: .current())
        } catch {
            printError("error: \(log): \(error)")
            throw ExitCode(2)
        }
        let store = try storeOptions.open(create: true)
        try signing.appendSignature(of: append(record, to: store), to: store, key: key)
    }
}
