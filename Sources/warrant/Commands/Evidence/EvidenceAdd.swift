import ArgumentParser
import WarrantKit

struct EvidenceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a record, from a JSON file or from flags; prints its id.",
        discussion: """
        From a file: `warrant evidence add record.json` (a record as `warrant evidence show` \
        prints it, without `id` and `previous`, which the store sets).
        From flags: `warrant evidence add --kind control_eval --metric upper_bound=0.003 \
        --file report.pdf --model-file model.safetensors`.

        Records added this way are *asserted*: at release they support a claim only when a \
        signer the case trusts signed them (--sign KEY, or later `warrant evidence sign`), or \
        where the evidence node says why it accepts them (`accept_asserted: "reason"`).
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "A JSON file holding the record.", completion: .file(extensions: ["json"]))
    var json: String?

    @Option(help: "The record's kind, e.g. capability_eval, control_eval, red_team_report.")
    var kind: String?

    @Option(help: "A one-line title.")
    var title: String?

    @Option(name: .customLong("metric"), help: "A metric as name=value; repeatable.")
    var metrics: [String] = []

    @Option(name: .customLong("file"), help: "A file to pin by SHA-256 as an artifact; repeatable.")
    var files: [String] = []

    @Option(help: "The model weights file the evidence is about (hashed into the record).")
    var modelFile: String?

    @Option(help: "The model's name.")
    var modelName: String?

    @Option(help: "The method as name@version.")
    var method: String?

    @OptionGroup var signing: SigningOptions

    func validate() throws {
        if json == nil && kind == nil { throw ValidationError("Give a JSON file, or at least --kind.") }
        if json != nil && (kind != nil || !metrics.isEmpty) { throw ValidationError("Give either a JSON file or flags, not both.") }
    }

    func run() throws {
        let key = try signing.key()
        var record = try orExit { () throws -> EvidenceRecord in
            guard let json else {
                return try AssertedRecord.record(.init(kind: kind ?? "", title: title, metrics: metrics, files: files, method: method))
            }
            let records = try AssertedRecord.records(fromJSONFile: json)
            guard records.count == 1 else {
                throw ValidationError("\(json) holds \(records.count) records; `evidence add` takes one (use `evidence import json` for several)")
            }
            return records[0]
        }
        try orExit {
            try AssertedRecord.setSubject(of: &record, name: modelName, weights: modelFile)
            record = try AssertedRecord.asserted(record, from: json ?? "--kind \(kind ?? "")")
        }
        let store = try storeOptions.open(create: true)
        try signing.appendSignature(of: append(record, to: store), to: store, key: key)
    }
}
