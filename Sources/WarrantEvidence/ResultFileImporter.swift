import Foundation
import WarrantCore
import WarrantFiles
import WarrantJSON

/// The result files of evaluation tools that Warrant imports as *derived* evidence: each
/// record names its file by SHA-256, and checking reads the file again and derives the
/// record anew, metric by metric (as for Inspect logs).
///
/// - `inspect`: Inspect logs, `.eval` or `.json` (``InspectImporter``).
/// - `lm-eval`: lm-evaluation-harness's `results_*.json`: every `TASK/METRIC,FILTER` with an
///   interval of ±1.96 standard errors where the file gives `METRIC_stderr,FILTER`, the
///   n-shot and task version in its definition, the harness's git hash, and the run's
///   `date` as its time.
/// - `saebench`: a SAEBench result JSON: every `CATEGORY/METRIC` of `eval_result_metrics`,
///   the eval type as the method, the SAEBench commit as its version, the SAE's SAELens
///   release and id, and `datetime_epoch_millis` as its time.
/// - `saelens`: the per-SAE JSON that SAELens's `evals.py` writes: every `CATEGORY/METRIC`
///   of `metrics`. SAELens writes NaN as -1, so -1 is read as undefined (NaN), which no
///   requirement accepts. The file holds no time, so its records cannot be judged fresh
///   until the evaluation is run again with a tool that records one.
public enum ResultFileImporter {
    public enum Format: String, Sendable, CaseIterable {
        case inspect, lmEval = "lm-eval", saeBench = "saebench", saeLens = "saelens"

        /// How messages name such a file.
        public var fileName: String {
            switch self {
            case .inspect: return "Inspect log"
            case .lmEval: return "lm-evaluation-harness results file"
            case .saeBench: return "SAEBench result file"
            case .saeLens: return "SAELens evals result file"
            }
        }
    }

    /// The most a result file other than an Inspect log may hold.
    public static let maxBytes = 64 << 20

    public static func record(fromFileAt path: String, format: Format, options: InspectImporter.Options,
                              producer: EvidenceRecord.Producer, now: Date = Clock.now()) throws(InspectImporter.ImportError) -> EvidenceRecord {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: format == .inspect ? InspectImporter.maxLogBytes : maxBytes)
        } catch {
            throw .unreadable("\(error)")
        }
        return try record(from: bytes, path: path, format: format, options: options, producer: producer, now: now)
    }

    public static func record(from bytes: [UInt8], path: String, format: Format, options: InspectImporter.Options,
                              producer: EvidenceRecord.Producer, now: Date = Clock.now()) throws(InspectImporter.ImportError) -> EvidenceRecord {
        if format == .inspect {
            return try InspectImporter.record(fromLog: bytes, path: path, options: options, producer: producer, now: now)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .wrongFormat("the \(format.fileName) is not JSON: \(error)")
        }
        var record: EvidenceRecord
        switch format {
        case .lmEval: record = try lmEval(json)
        case .saeBench: record = try saeBench(json)
        case .saeLens: record = try saeLens(json)
        case .inspect: throw .wrongFormat("an Inspect log")
        }
        record.kind = options.kind
        record.producer = producer
        record.provenance = .derived
        record.source?["type"] = .string(format.rawValue)
        record.source?["path"] = .string(path)
        record.source?["sha256"] = .string(Hashing.sha256Hex(bytes))
        if let created = record.source?["created"]?.string, let problem = Clock.problem(with: created, now: now) {
            throw .wrongFormat("the \(format.fileName)'s time cannot be trusted: \(problem)")
        }
        if let modelFile = options.modelFile {
            do {
                record.subject = .init(name: record.subject?.name, sha256: try Hashing.sha256Hex(fileAt: modelFile))
            } catch {
                throw .unreadable("model file: \(error)")
            }
        }
        return record
    }

    static func time(epochSeconds: Double?) -> JSONValue? {
        guard let s = epochSeconds, s.isFinite, s > 0, s < 1e11 else { return nil }
        return .string(Clock.format(Date(timeIntervalSince1970: s)))
    }

    static func lmEval(_ json: JSONValue) throws(InspectImporter.ImportError) -> EvidenceRecord {
        guard let results = json["results"]?.object, !results.isEmpty else {
            throw .wrongFormat("not an lm-evaluation-harness results file: no `results`")
        }
        var r = EvidenceRecord(kind: "", producer: .init(tool: "", version: "", time: ""))
        let versions = json["versions"]?.object ?? [:], shots = json["n-shot"]?.object ?? [:]
        for (task, values) in results.sorted(by: { $0.key < $1.key }) {
            // Metrics are `METRIC,FILTER`; `alias`, `name`, `sample_len` and the like are not.
            for (key, value) in (values.object ?? [:]).sorted(by: { $0.key < $1.key }) where key.contains(",") && !key.contains("_stderr,") {
                guard let v = EvidenceRecord.number(value) else { continue }
                // `acc,none` has its standard error at `acc_stderr,none` when the harness computed one.
                let parts = key.split(separator: ",", maxSplits: 1)
                let stderrKey = parts.count == 2 ? "\(parts[0])_stderr,\(parts[1])" : "\(key)_stderr"
                let se = values[stderrKey].flatMap(EvidenceRecord.number)
                let interval = se.flatMap { $0.isFinite && $0 >= 0 ? [v - 1.96 * $0, v + 1.96 * $0] : nil }
                let shot = shots[task].map { " n-shot \($0.canonical)," } ?? ""
                let version = versions[task].map { " task version \($0.string ?? $0.canonical)" } ?? ""
                r.metrics["\(task)/\(key)"] = .init(v, interval: interval,
                                                    definition: "lm-eval:\(task)/\(key) (\(shot)\(version))" + (interval == nil ? "" : "; interval ±1.96 stderr"))
            }
        }
        let tasks = results.keys.sorted()
        r.title = "lm-evaluation-harness: \(tasks.joined(separator: ", "))" + (json["model_name"]?.string.map { " on \($0)" } ?? "")
        r.method = .init(name: "lm-eval:" + tasks.joined(separator: "+"),
                         version: tasks.map { versions[$0].map { $0.string ?? $0.canonical } ?? "?" }.joined(separator: "+"))
        r.subject = .init(name: json["model_name"]?.string ?? json["config"]?["model"]?.string)
        var source: [String: JSONValue] = ["tasks": .array(tasks.map(JSONValue.string))]
        if let v = time(epochSeconds: json["date"]?.number) { source["created"] = v }
        for key in ["git_hash", "lm_eval_version", "transformers_version", "n-shot", "versions"] { if let v = json[key] { source[key] = v } }
        if let config = json["config"]?.object {
            r.configuration = config.filter { ["model", "model_args", "batch_size", "limit", "bootstrap_iters", "gen_kwargs", "random_seed", "numpy_seed", "torch_seed", "fewshot_seed"].contains($0.key) }
        }
        r.source = source
        return r
    }

    static func saeBench(_ json: JSONValue) throws(InspectImporter.ImportError) -> EvidenceRecord {
        guard let metrics = json["eval_result_metrics"]?.object, let type = json["eval_type_id"]?.string else {
            throw .wrongFormat("not a SAEBench result file: no `eval_type_id` and `eval_result_metrics`")
        }
        var r = EvidenceRecord(kind: "", producer: .init(tool: "", version: "", time: ""))
        flatten(metrics, prefix: "", definition: "saebench:\(type)", into: &r)
        let sae = [json["sae_lens_release_id"]?.string, json["sae_lens_id"]?.string].compactMap { $0 }.joined(separator: "/")
        r.title = "SAEBench \(type)" + (sae.isEmpty ? "" : " of \(sae)")
        r.method = .init(name: "saebench:\(type)", version: json["sae_bench_commit_hash"]?.string ?? "unknown")
        r.subject = .init(name: sae.isEmpty ? nil : sae)
        if let config = json["eval_config"]?.object {
            r.configuration = config.filter { $0.value.canonical.utf8.count <= InspectImporter.maxConfigurationValueBytes }
        }
        var source: [String: JSONValue] = [:]
        if let v = time(epochSeconds: json["datetime_epoch_millis"]?.number.map { $0 / 1000 }) { source["created"] = v }
        for key in ["eval_id", "eval_type_id", "sae_bench_commit_hash", "sae_lens_id", "sae_lens_release_id", "sae_lens_version"] {
            if let v = json[key] { source[key] = v }
        }
        r.source = source
        return r
    }

    static func saeLens(_ json: JSONValue) throws(InspectImporter.ImportError) -> EvidenceRecord {
        guard let metrics = json["metrics"]?.object, json["eval_cfg"] != nil else {
            throw .wrongFormat("not a SAELens evals result file: no `metrics` and `eval_cfg`")
        }
        var r = EvidenceRecord(kind: "", producer: .init(tool: "", version: "", time: ""))
        flatten(metrics, prefix: "", definition: "saelens:evals", into: &r)
        // SAELens's process_results writes NaN as -1: read it back as undefined.
        for (name, m) in r.metrics where m.value == -1 {
            r.metrics[name] = .init(.nan, definition: (m.definition ?? name) + " (undefined: SAELens writes NaN as -1)")
        }
        let id = json["unique_id"]?.string ?? [json["sae_set"]?.string, json["sae_id"]?.string].compactMap { $0 }.joined(separator: "/")
        r.title = "SAELens evals of \(id)"
        let cfg = json["eval_cfg"]?.object ?? [:]
        r.method = .init(name: "saelens:evals", version: cfg["library_version"]?.string ?? "unknown")
        r.subject = .init(name: id.isEmpty ? nil : id)
        r.configuration = cfg.filter { $0.value.canonical.utf8.count <= InspectImporter.maxConfigurationValueBytes }
        var source: [String: JSONValue] = [:]
        for key in ["unique_id", "sae_set", "sae_id"] { if let v = json[key] { source[key] = v } }
        if let hash = cfg["git_hash"] { source["git_hash"] = hash }
        r.source = source
        return r
    }

    /// Nested objects of numbers as `A/B/C` metrics.
    static func flatten(_ object: [String: JSONValue], prefix: String, definition: String, into r: inout EvidenceRecord) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : "\(prefix)/\(key)"
            if let nested = value.object {
                flatten(nested, prefix: name, definition: definition, into: &r)
            } else if let v = EvidenceRecord.number(value) {
                r.metrics[name] = .init(v, definition: "\(definition)/\(name)")
            }
        }
    }
}
