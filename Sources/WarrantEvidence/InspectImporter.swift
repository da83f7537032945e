import WarrantJSON
import Foundation

/// Turns an Inspect (`inspect_ai`) evaluation log, in its JSON form, into an
/// evidence record.
///
/// Kept: task (name, version), model, created, status, the eval code's revision
/// (commit, dirty), sample counts, every scorer's metrics, and the log file's
/// SHA-256 and path. Metrics are stored as `scorer/metric` and, where only one
/// scorer reports a metric, also as plain `metric` (so `accuracy <= 0.2` works).
/// Logs contain bare `NaN` tokens for unscored values: they are accepted.
public enum InspectImporter {
    public struct Options: Sendable {
        /// Import a log whose status is not `success` anyway.
        public var allowIncomplete = false
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
        case zipped

        public var description: String {
            switch self {
            case .unreadable(let m): return "cannot read the log: \(m)"
            case .notJSON(let m): return "the log is not JSON: \(m)"
            case .notInspect(let m): return "not an Inspect evaluation log: \(m)"
            case .incomplete(let status):
                return "the log's status is '\(status)', not 'success'; its results are incomplete (import it anyway with --allow-incomplete)"
            case .zipped:
                return "this is a zipped .eval log; convert it to JSON first with `inspect log convert --to json FILE`"
            }
        }
    }

    public static func record(fromLogAt path: String, options: Options, producer: EvidenceRecord.Producer) throws(ImportError) -> EvidenceRecord {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(error.localizedDescription)
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { throw .zipped }
        let log: JSONValue
        do {
            log = try JSONValue.parse(bytes)
        } catch {
            throw .notJSON("\(error)")
        }
        guard let eval = log["eval"]?.object, let task = eval["task"]?.string, let status = log["status"]?.string else {
            throw .notInspect("no `eval.task` or `status`")
        }
        if status != "success" && !options.allowIncomplete { throw .incomplete(status: status) }

        var record = EvidenceRecord(kind: options.kind, producer: producer)
        record.title = "Inspect evaluation \(task)" + (eval["model"]?.string.map { " of \($0)" } ?? "")
        record.method = .init(name: "inspect:\(task)", version: eval["task_version"].map { $0.string ?? $0.canonical } ?? "0")
        var subject = EvidenceRecord.Subject(name: eval["model"]?.string)
        if let modelFile = options.modelFile {
            do {
                subject.sha256 = try Hashing.sha256Hex(fileAt: modelFile)
            } catch {
                throw .unreadable("model file \(modelFile): \(error.localizedDescription)")
            }
        }
        record.subject = subject
        if let dataset = eval["dataset"]?.object, let name = dataset["name"]?.string ?? dataset["location"]?.string {
            record.dataset = .init(name: name)
        }
        var configuration: [String: JSONValue] = [:]
        for key in ["task_args", "model_args", "model_generate_config", "config"] {
            if let v = eval[key] { configuration[key] = v }
        }
        record.configuration = configuration

        // Metrics: scorer/metric always; plain metric when unambiguous.
        var plain: [String: [EvidenceRecord.Metric]] = [:]
        for score in log["results"]?["scores"]?.array ?? [] {
            let scorer = score["name"]?.string ?? score["scorer"]?.string ?? "score"
            for (name, metric) in score["metrics"]?.object ?? [:] {
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
        for key in ["task_version", "created", "eval_id", "run_id", "model"] {
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
        record.source = source
        return record
    }
}
