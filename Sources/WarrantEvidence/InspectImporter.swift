import WarrantJSON
import WarrantCore
import Foundation
import WarrantFiles

/// Turns an Inspect (`inspect_ai`) evaluation log, in its JSON form, into an
/// evidence record.
///
/// Kept: task (name, version), model, created, status, the eval code's revision
/// (commit, dirty), the packages it ran with, sample counts, every scorer's metrics,
/// how many scores were edited after the run, and the log file's SHA-256 and path.
/// Metrics are stored as `scorer/metric` (a second scorer of the same name as
/// `scorer#2/metric`: nothing is overwritten) and, where only one scorer reports a
/// metric, also as plain `metric` (so `accuracy <= 0.2` works). Logs contain bare
/// `NaN` tokens for unscored values: they are accepted.
///
/// The record is *derived*: checking reads the hashed log again, runs this same
/// extraction and compares every metric, so a record edited after import is found.
public enum InspectImporter {
    public struct Options: Sendable {
        /// Import a log whose status is not `success` anyway.
        public var allowIncomplete = false
        /// Import a log with invalidated samples anyway.
        public var allowInvalidated = false
        /// Record kind; `inspect` unless the user says what the evaluation is (e.g. `sabotage_eval`).
        public var kind = "inspect"
        /// The model weights file the log is about, hashed into the record's subject.
        public var modelFile: String?
        public init() {}
    }

    public enum ImportError: Error, Sendable, CustomStringConvertible {
        case unreadable(String)
        case notJSON(String)
        case notInspect(String)
        case incomplete(status: String)
        case invalidated
        case unknownVersion(String)
        case invalidTime(String)
        /// A `.eval` archive that cannot be read, or a run that has not finished.
        case archive(String)
        /// A result file of another tool that is not of the shape its format says.
        case wrongFormat(String)

        public var description: String {
            switch self {
            case .unreadable(let m): return "cannot read the log: \(m)"
            case .notJSON(let m): return "the log is not JSON: \(m)"
            case .notInspect(let m): return "not an Inspect evaluation log: \(m)"
            case .incomplete(let status):
                return "the log's status is '\(status)', not 'success'; its results are incomplete (import it anyway with --allow-incomplete)"
            case .invalidated:
                return "the log has invalidated samples (`invalidated: true`), so its scores are not the run's; import it anyway with --allow-invalidated"
            case .unknownVersion(let v):
                return "the log's format version is \(v); this Warrant reads Inspect log versions \(InspectImporter.knownVersions.map(String.init).joined(separator: " and "))"
            case .invalidTime(let m): return "the log's `eval.created` cannot be trusted: \(m)"
            case .archive(let why), .wrongFormat(let why):
                return why
            }
        }
    }

    /// The Inspect log format versions this importer understands.
    public static let knownVersions = [1, 2]
    /// The most a log may hold: Inspect logs with samples reach hundreds of megabytes.
    public static let maxLogBytes = 1 << 30
    /// Configuration values (e.g. `model_args`) larger than this, as canonical JSON, are
    /// kept as their size and SHA-256 only.
    public static let maxConfigurationValueBytes = 4096

    public static func record(fromLogAt path: String, options: Options, producer: EvidenceRecord.Producer,
                              now: Date = Clock.now()) throws(ImportError) -> EvidenceRecord {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: maxLogBytes)
        } catch {
            throw .unreadable("\(error)")
        }
        return try record(fromLog: bytes, path: path, options: options, producer: producer, now: now)
    }

    /// The record of a log already read (checking hashes and re-derives from the same bytes).
    public static func record(fromLog bytes: [UInt8], path: String, options: Options, producer: EvidenceRecord.Producer,
                              now: Date = Clock.now()) throws(ImportError) -> EvidenceRecord {
        // A `.eval` log (a zip archive) gives the same log as its JSON form, its samples
        // read one entry at a time.
        let log: JSONValue
        var editedScores: Int?
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            do {
                (log, editedScores) = try InspectEvalArchive.log(fromArchive: bytes)
            } catch {
                throw .archive(error.description)
            }
        } else {
            do {
                log = try JSONValue.parse(bytes)
            } catch {
                throw .notJSON("\(error)")
            }
        }
        guard let eval = log["eval"]?.object, let task = eval["task"]?.string, let status = log["status"]?.string else {
            throw .notInspect("no `eval.task` or `status`")
        }
        let version = log["version"]
        guard let v = version?.number, knownVersions.contains(where: { Double($0) == v }) else {
            throw .unknownVersion(version.map { $0.canonical } ?? "missing")
        }
        if status != "success" && !options.allowIncomplete { throw .incomplete(status: status) }
        if log["invalidated"]?.bool == true && !options.allowInvalidated { throw .invalidated }
        guard let created = eval["created"]?.string else { throw .notInspect("no `eval.created`") }
        if let problem = Clock.problem(with: created, now: now) { throw .invalidTime(problem) }

        var record = EvidenceRecord(kind: options.kind, producer: producer)
        record.title = "Inspect evaluation \(task)" + (eval["model"]?.string.map { " of \($0)" } ?? "")
        record.method = .init(name: "inspect:\(task)", version: eval["task_version"].map { $0.string ?? $0.canonical } ?? "0")
        var subject = EvidenceRecord.Subject(name: eval["model"]?.string)
        if let modelFile = options.modelFile {
            do {
                subject.sha256 = try Hashing.sha256Hex(fileAt: modelFile)
            } catch {
                throw .unreadable("model file: \(error)")
            }
        }
        record.subject = subject
        if let dataset = eval["dataset"]?.object, let name = dataset["name"]?.string ?? dataset["location"]?.string {
            record.dataset = .init(name: name)
        }
        var configuration: [String: JSONValue] = [:]
        for key in ["task_args", "model_args", "model_generate_config", "config"] {
            guard let v = eval[key] else { continue }
            let canonical = Array(v.canonical.utf8)
            configuration[key] = canonical.count <= maxConfigurationValueBytes ? v
                : .object(["omitted_bytes": .number(Double(canonical.count)), "sha256": .string(Hashing.sha256Hex(canonical))])
        }
        record.configuration = configuration

        // Metrics: scorer/metric always (a repeated scorer name gets #2, #3...); plain
        // metric when unambiguous.
        var plain: [String: [EvidenceRecord.Metric]] = [:]
        var seenScorers: [String: Int] = [:]
        for score in log["results"]?["scores"]?.array ?? [] {
            let name = score["name"]?.string ?? score["scorer"]?.string ?? "score"
            seenScorers[name, default: 0] += 1
            let scorer = seenScorers[name] == 1 ? name : "\(name)#\(seenScorers[name, default: 1])"
            for (name, metric) in (score["metrics"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let value = metric["value"].flatMap(EvidenceRecord.number) else { continue }
                let m = EvidenceRecord.Metric(value, definition: "inspect:\(scorer)/\(name)")
                record.metrics["\(scorer)/\(name)"] = m
                plain[name, default: []].append(m)
            }
        }
        for (name, values) in plain where values.count == 1 && record.metrics[name] == nil {
            record.metrics[name] = values[0]
        }

        var source: [String: JSONValue] = [
            "type": .string("inspect"),
            "path": .string(path),
            "sha256": .string(Hashing.sha256Hex(bytes)),
            "task": .string(task),
            "status": .string(status),
            "log_version": log["version"] ?? .null,
        ]
        for key in ["task_version", "created", "eval_id", "run_id", "model", "packages"] {
            if let v = eval[key] { source[key] = v }
        }
        if let revision = eval["revision"]?.object {
            source["revision"] = .object(revision.filter { ["type", "origin", "commit", "dirty"].contains($0.key) })
        }
        if let results = log["results"]?.object {
            source["total_samples"] = results["total_samples"] ?? .null
            source["completed_samples"] = results["completed_samples"] ?? .null
        }
        if let invalidated = log["invalidated"] { source["invalidated"] = invalidated }
        // Scores changed after the run (`Score.history`) and edits to the log itself
        // (`log_updates`): what was edited is typed in, not measured.
        let edited = editedScores ?? (log["samples"]?.array ?? []).reduce(0) { total, sample in
            total + (sample["scores"]?.object?.values.filter { !($0["history"]?.array?.isEmpty ?? true) }.count ?? 0)
        }
        if edited > 0 { source["edited_scores"] = .number(Double(edited)) }
        if let updates = log["log_updates"]?.array, !updates.isEmpty { source["log_updates"] = .number(Double(updates.count)) }
        record.source = source
        record.provenance = .derived
        return record
    }
}
