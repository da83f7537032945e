import WarrantJSON
import ArgumentParser
import Foundation
import WarrantFiles
import WarrantCore
import WarrantEvidence

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, import, list, show and verify evidence records.",
        discussion: """
        Evidence records live in an SQLite store, by default .warrant/evidence.sqlite in the \
        current directory (or beside the case given with --case). Records are immutable and \
        form a hash chain: `verify` detects any record altered or removed after the fact.
        """,
        subcommands: [EvidenceAdd.self, EvidenceImport.self, EvidenceList.self, EvidenceShow.self, EvidenceVerify.self,
                      EvidenceHead.self]
    )
}

/// Where the store is: `--store`, else beside `--case`, else in the current directory.
struct StoreOptions: ParsableArguments {
    @Option(help: "The evidence store (SQLite). (default: .warrant/evidence.sqlite beside --case, or here)")
    var store: String?

    @Option(name: .customLong("case"), help: "A case file; its store is .warrant/evidence.sqlite beside it.")
    var casePath: String?

    var path: String {
        if let store { return store }
        if let casePath { return StoreLocation.besideCase(casePath) }
        return EvidenceStore.defaultRelativePath
    }

    func open(create: Bool) throws -> EvidenceStore {
        try Self.open(path: path, create: create)
    }

    /// Opens (by default creating) the store at `path`; failures are exit 2.
    static func open(path: String, create: Bool = true) throws -> EvidenceStore {
        try orExit { try EvidenceStore(path: path, create: create) }
    }
}

enum StoreLocation {
    static func besideCase(_ casePath: String) -> String {
        let dir = (casePath as NSString).deletingLastPathComponent
        return dir.isEmpty ? EvidenceStore.defaultRelativePath : dir + "/" + EvidenceStore.defaultRelativePath
    }
}

func currentProducer() -> EvidenceRecord.Producer {
    EvidenceRecord.Producer(tool: "warrant", version: WarrantVersion.string,
                            host: ProcessInfo.processInfo.hostName, time: Clock.format(Clock.now()))
}

/// Appends and reports a record, turning store errors into exit 2.
func append(_ record: EvidenceRecord, to store: EvidenceStore) throws {
    print(try orExit { try store.append(record) }.id)
}

/// A record typed in by a person: marked asserted whatever it says of itself, and
/// refused when its time is not a real time in the past.
func asserted(_ record: EvidenceRecord, from origin: String) throws -> EvidenceRecord {
    var r = record
    r.provenance = .asserted
    if let problem = Clock.problem(with: r.producer.time) {
        printError("error: \(origin): `producer.time`: \(problem)")
        throw ExitCode(2)
    }
    if let created = r.source?["created"]?.string, let problem = Clock.problem(with: created) {
        printError("error: \(origin): `source.created`: \(problem)")
        throw ExitCode(2)
    }
    return r
}

struct EvidenceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a record, from a JSON file or from flags; prints its id.",
        discussion: """
        From a file: `warrant evidence add record.json` (a record as `warrant evidence show` \
        prints it, without `id` and `previous`, which the store sets).
        From flags: `warrant evidence add --kind control_eval --metric upper_bound=0.003 \
        --file report.pdf --model-file model.safetensors`.

        Records added this way are *asserted*: at release they support a claim only where the \
        evidence node says why it accepts them (`accept_asserted: "reason"`).
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

    func validate() throws {
        if json == nil && kind == nil { throw ValidationError("Give a JSON file, or at least --kind.") }
        if json != nil && (kind != nil || !metrics.isEmpty) { throw ValidationError("Give either a JSON file or flags, not both.") }
    }

    func run() throws {
        var record: EvidenceRecord
        if let json {
            let records = try ImportJSON.readRecords(json)
            guard records.count == 1 else {
                printError("error: \(json) holds \(records.count) records; `evidence add` takes one (use `evidence import json` for several)")
                throw ExitCode(2)
            }
            record = records[0]
        } else {
            record = EvidenceRecord(kind: kind!, producer: currentProducer())
            record.title = title
            for m in metrics {
                let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]) else {
                    printError("error: --metric takes name=value with a number, got '\(m)'")
                    throw ExitCode(2)
                }
                record.metrics[parts[0]] = .init(value)
            }
            for file in files {
                let sha = try orExit { try Hashing.sha256Hex(fileAt: file) }
                record.artifacts.append(.init(path: file, sha256: sha))
            }
            if let method {
                let parts = method.split(separator: "@", maxSplits: 1).map(String.init)
                record.method = .init(name: parts[0], version: parts.count > 1 ? parts[1] : "1")
            }
        }
        if modelFile != nil || modelName != nil {
            var subject = record.subject ?? .init()
            if let modelName { subject.name = modelName }
            if let modelFile {
                subject.sha256 = try orExit { try Hashing.sha256Hex(fileAt: modelFile) }
            }
            record.subject = subject
        }
        try append(asserted(record, from: json ?? "--kind \(kind ?? "")"), to: storeOptions.open(create: true))
    }
}

struct EvidenceImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the results of external evaluations as records.",
        subcommands: [ImportJSON.self, ImportInspect.self]
    )
}

struct ImportJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Import records from a JSON file (one record, or a list of them); prints their ids.",
        discussion: """
        The records are *asserted* (typed in), whatever they say of themselves: Warrant cannot \
        derive them again. At release they support a claim only where the evidence node says \
        why it accepts them (`accept_asserted: "reason"`).
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The JSON file.", completion: .file(extensions: ["json"]))
    var file: String

    static func readRecords(_ file: String) throws -> [EvidenceRecord] {
        let data = try orExit { try RegularFile.read(file, limit: 64 << 20) }
        do {
            let value = try JSONValue.parse(data)
            let items = value.array ?? [value]
            return try items.map { item in
                try EvidenceRecord.from(json: item, requireID: false, defaultProducer: currentProducer())
            }
        } catch let e as JSONParseError {
            printError("error: \(file): \(e)")
            throw ExitCode(2)
        } catch {
            printError("error: \(file): \(error)")
            throw ExitCode(2)
        }
    }

    func run() throws {
        let records = try Self.readRecords(file).map { try asserted($0, from: file) }
        let store = try storeOptions.open(create: true)
        for record in records { try append(record, to: store) }
    }
}

struct ImportInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Import an Inspect (inspect_ai) evaluation log in JSON form; prints the record id.",
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

    @Argument(help: "The log (.json).", completion: .file(extensions: ["json"]))
    var log: String

    @Flag(help: "Import a log whose status is not success.")
    var allowIncomplete = false

    @Flag(help: "Import a log with invalidated samples.")
    var allowInvalidated = false

    @Option(help: "The record's kind (default: inspect), e.g. capability_eval or sabotage_eval.")
    var kind: String = "inspect"

    @Option(help: "The model weights file the evaluation was about (hashed into the record).")
    var modelFile: String?

    func run() throws {
        var options = InspectImporter.Options()
        options.allowIncomplete = allowIncomplete
        options.allowInvalidated = allowInvalidated
        options.kind = kind
        options.modelFile = modelFile
        let record: EvidenceRecord
        do {
            record = try InspectImporter.record(fromLogAt: log, options: options, producer: currentProducer())
        } catch {
            printError("error: \(log): \(error)")
            throw ExitCode(2)
        }
        try append(record, to: storeOptions.open(create: true))
    }
}

struct EvidenceList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored records, oldest first.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only records of this kind.")
    var kind: String?

    @Option(help: "Only records of this method.")
    var method: String?

    @Option(help: "Output format: text or json.")
    var format: Check.OutputFormat = .text

    func run() throws {
        let store = try storeOptions.open(create: false)
        let records = try orExit { try store.records(kind: kind, method: method) }
        switch format {
        case .json:
            print(JSONValue.array(records.map { $0.json() }).pretty)
        case .text:
            for r in records {
                let metrics = r.metrics.keys.sorted().prefix(4).map { "\($0)=\(r.metrics[$0]!.value.isNaN ? "NaN" : JSONValue.format(r.metrics[$0]!.value))" }
                    .joined(separator: " ")
                print(TerminalText.sanitize("\(r.id.prefix(12))  \(r.producer.time)  \(r.kind.padding(toLength: 22, withPad: " ", startingAt: 0))  \(r.subject?.name ?? "-")  \(metrics)"))
            }
            if records.isEmpty { print("no records") }
        }
    }
}

struct EvidenceShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one record in full.")

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The record's id, or a unique prefix of at least 8 characters.")
    var id: String

    func run() throws {
        let store = try storeOptions.open(create: false)
        guard let record = try orExit({ try store.record(id: id) }) else {
            printError("error: no record '\(id)' in \(store.path) (ids are hex; give at least 8 characters of one)")
            throw ExitCode(2)
        }
        print(record.json().pretty)
    }
}

struct EvidenceVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every record's hash and the chain; exit 1 naming the first bad record."
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open(create: false)
        let result = try orExit { try store.verify() }
        if let problem = result.firstProblem {
            print("\(store.path): record #\(problem.sequence) \(problem.id) does not verify: \(problem.problem)")
            throw ExitCode(1)
        }
        print("\(store.path): \(result.recordCount) record\(result.recordCount == 1 ? "" : "s") verify; the chain is intact")
    }
}

struct EvidenceHead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the chain's record count and head id, to pin in a case.",
        discussion: """
        The chain is verified first (exit 1 if it does not verify). Pin what this prints in \
        the case, so that a store cut short, rewritten or forked later is a tampered finding:

          case:
            policy:
              evidence_head: { records: 12, id: "3f2a..." }

        Records appended after the pinned head still count; pin the new head when the case \
        is judged again. --format yaml prints just the `evidence_head` line.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, yaml, json }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format: text, yaml or json.")
    var format: Format = .text

    func run() throws {
        let store = try storeOptions.open(create: false)
        let result = try orExit { try store.verify() }
        if let problem = result.firstProblem {
            printError("error: \(store.path): record #\(problem.sequence) \(problem.id) does not verify: \(problem.problem); a head is pinned only on a chain that verifies")
            throw ExitCode(1)
        }
        guard let head = result.head else {
            printError("error: \(store.path) holds no records; there is no head to pin")
            throw ExitCode(2)
        }
        switch format {
        case .text: print("\(result.recordCount) records, head \(head)")
        case .yaml: print("evidence_head: { records: \(result.recordCount), id: \"\(head)\" }")
        case .json: print(JSONValue.object(["records": .number(Double(result.recordCount)), "id": .string(head)]).canonical)
        }
    }
}
