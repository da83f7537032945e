import WarrantJSON
import WarrantCore
import Crypto
import Foundation
import WarrantFiles

/// An immutable piece of evidence with its provenance.
///
/// A record's `id` is the SHA-256 of its canonical JSON (see ``JSONValue/canonical``)
/// without the `id` field. The JSON includes `previous`, the id of the record
/// stored before it, so the store is a hash chain: altering or removing a record
/// changes an id that the next record commits to, and `warrant evidence verify`
/// finds it.
public struct EvidenceRecord: Sendable, Hashable {
    /// What the evidence is about: a model, by name and weights hash.
    public struct Subject: Sendable, Hashable {
        public var name: String?
        /// SHA-256 of the model's weights file, hex.
        public var sha256: String?
        public init(name: String? = nil, sha256: String? = nil) { self.name = name; self.sha256 = sha256 }
    }

    /// How the evidence was produced.
    public struct Method: Sendable, Hashable {
        public var name: String
        public var version: String
        public init(name: String, version: String) { self.name = name; self.version = version }
    }

    /// The data the evaluation ran on.
    public struct Dataset: Sendable, Hashable {
        public var name: String?
        public var sha256: String?
        public init(name: String? = nil, sha256: String? = nil) { self.name = name; self.sha256 = sha256 }
    }

    /// One measured value.
    public struct Metric: Sendable, Hashable {
        public var value: Double
        /// A confidence or credible interval, low and high.
        public var interval: [Double]?
        /// Which definition of the metric was used (e.g. `explained_variance.pooled`).
        public var definition: String?
        public init(_ value: Double, interval: [Double]? = nil, definition: String? = nil) {
            self.value = value
            self.interval = interval
            self.definition = definition
        }
    }

    /// A file the evaluation wrote or used, pinned by its hash.
    public struct Artifact: Sendable, Hashable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
    }

    /// Who made the record and when.
    public struct Producer: Sendable, Hashable {
        public var tool: String
        public var version: String
        public var host: String?
        /// UTC, ISO 8601 (`2026-11-26T17:20:00Z`).
        public var time: String
        /// For computed evidence: the numerical library and kernel that computed it (e.g.
        /// `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64`). Kernels sum in
        /// different orders, so results agree only to rounding across them.
        public var numerics: String?
        public init(tool: String, version: String, host: String? = nil, time: String, numerics: String? = nil) {
            self.tool = tool; self.version = version; self.host = host; self.time = time; self.numerics = numerics
        }
    }

    /// How a record was obtained, which decides what checking can re-verify.
    public enum Provenance: String, Sendable, Hashable, CaseIterable {
        /// Warrant computed it, or extracted it from a file whose SHA-256 it recorded
        /// (an Inspect log): checking can derive it again and compare.
        case derived
        /// Someone typed it in (`evidence add`, `evidence import json`): only a signature
        /// or an explicit acceptance by the case makes it count at release.
        case asserted
    }

    /// A signature of another record, carried by a record of kind `signature` (records are
    /// immutable, so a signature is a record of its own, appended after the one it signs).
    public struct Signature: Sendable, Hashable {
        /// The id of the signed record.
        public var signs: String
        /// The signing key, `ed25519:BASE64`.
        public var key: String
        /// The name the signer gave; informative only: trust comes from the case's `policy.signers`.
        public var signer: String?
        /// Base64 of the Ed25519 signature over the DSSE pre-authentication encoding of the
        /// signed record's canonical JSON (``EvidenceRecord/signedPayloadType``).
        public var sig: String
        public init(signs: String, key: String, signer: String?, sig: String) {
            self.signs = signs; self.key = key; self.signer = signer; self.sig = sig
        }
    }

    /// SHA-256 of the canonical JSON without `id`; set by ``sealed(previous:)``.
    public private(set) var id: String = ""
    /// e.g. `interpretability.sae`, `capability_eval`, `control_eval`, `inspect`, `file`.
    public var kind: String
    public var title: String?
    public var subject: Subject?
    public var method: Method?
    /// The full configuration of the evaluation (an object).
    public var configuration: [String: JSONValue] = [:]
    public var dataset: Dataset?
    public var metrics: [String: Metric] = [:]
    public var artifacts: [Artifact] = []
    public var producer: Producer
    /// Where the evidence came from (for imports: the log's task, status, revision, hash...).
    public var source: [String: JSONValue]?
    /// For a record of kind `signature`: what it signs, with which key.
    public var signature: Signature?
    /// How the record was obtained. Records written before Warrant recorded it have none;
    /// ``effectiveProvenance`` classifies them.
    public var provenance: Provenance?
    /// The id of the record stored before this one, or `nil` for the first.
    public private(set) var previous: String?

    /// The provenance checking uses. A record can be derived only if it could have been:
    /// it names a hashed source file (which checking reads again), or it is a built-in
    /// evaluation made by Warrant. Anything else is asserted, whatever it says of itself;
    /// records that predate the field are classified the same way.
    public var effectiveProvenance: Provenance {
        if provenance == .asserted { return .asserted }
        if source?["sha256"]?.string != nil { return .derived }
        if producer.tool == "warrant", let m = method?.name, Self.reproducibleMethods.contains(m) { return .derived }
        return .asserted
    }

    /// The methods of Warrant's built-in evaluations, which it can run again from a record's
    /// configuration (WarrantEvals' registry, `Evaluations.all`; a test keeps the two equal).
    public static let reproducibleMethods: Set<String> = ["sae", "lib", "polytope"]

    /// The time the evidence was obtained, by which its age is judged: for a record
    /// imported from a file (its `source` names a type or a file hash, e.g. an Inspect log),
    /// when the evaluation ran (`source.created`); otherwise when Warrant made the record
    /// (`producer.time`). Nil when an imported record has no creation time.
    public var evidenceTime: (field: String, value: String)? {
        if let source, source["type"] != nil || source["sha256"] != nil || source["created"] != nil {
            return source["created"]?.string.map { ("source.created", $0) }
        }
        return ("producer.time", producer.time)
    }

    public init(kind: String, producer: Producer) {
        self.kind = kind
        self.producer = producer
    }

    /// The record with `previous` set and its `id` computed.
    public func sealed(previous: String?) -> EvidenceRecord {
        var r = self
        r.previous = previous
        r.id = r.contentHash
        return r
    }

    /// SHA-256 (hex) of the canonical JSON of everything but `id`.
    public var contentHash: String {
        Hashing.sha256Hex(Array(json(includeID: false).canonical.utf8))
    }

    /// The key under which `build` finds an evaluation's record: method, version,
    /// configuration, model hash and data hash.
    public var evaluationKey: String? {
        guard let method else { return nil }
        return Self.evaluationKey(method: method.name, version: method.version, configuration: configuration,
                                  modelSHA256: subject?.sha256, dataSHA256: dataset?.sha256)
    }

    public static func evaluationKey(method: String, version: String, configuration: [String: JSONValue],
                                     modelSHA256: String?, dataSHA256: String?) -> String {
        let key: JSONValue = .object([
            "method": .string(method), "method_version": .string(version), "configuration": .object(configuration),
            "model_sha256": modelSHA256.map(JSONValue.string) ?? .null, "data_sha256": dataSHA256.map(JSONValue.string) ?? .null,
        ])
        return Hashing.sha256Hex(Array(key.canonical.utf8))
    }

    // MARK: JSON

    public func json(includeID: Bool = true) -> JSONValue {
        var o: [String: JSONValue] = [
            "format": .string("warrant.evidence/1"),
            "kind": .string(kind),
            "configuration": .object(configuration),
            "metrics": .object(metrics.mapValues { m in
                var mo: [String: JSONValue] = ["value": .number(m.value)]
                if let i = m.interval { mo["interval"] = .array(i.map(JSONValue.number)) }
                if let d = m.definition { mo["definition"] = .string(d) }
                return .object(mo)
            }),
            "artifacts": .array(artifacts.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) }),
            "producer": .object(compact(["tool": .string(producer.tool), "version": .string(producer.version),
                                         "host": producer.host.map(JSONValue.string), "time": .string(producer.time),
                                         "numerics": producer.numerics.map(JSONValue.string)])),
            "previous": previous.map(JSONValue.string) ?? .null,
        ]
        if includeID { o["id"] = .string(id) }
        if let title { o["title"] = .string(title) }
        if let subject { o["subject"] = .object(compact(["name": subject.name.map(JSONValue.string), "sha256": subject.sha256.map(JSONValue.string)])) }
        if let method { o["method"] = .object(["name": .string(method.name), "version": .string(method.version)]) }
        if let dataset { o["dataset"] = .object(compact(["name": dataset.name.map(JSONValue.string), "sha256": dataset.sha256.map(JSONValue.string)])) }
        if let source { o["source"] = .object(source) }
        if let provenance { o["provenance"] = .string(provenance.rawValue) }
        if let signature {
            o["signature"] = .object(compact(["signs": .string(signature.signs), "key": .string(signature.key),
                                              "signer": signature.signer.map(JSONValue.string), "sig": .string(signature.sig)]))
        }
        return .object(o)
    }

    private func compact(_ o: [String: JSONValue?]) -> [String: JSONValue] {
        o.compactMapValues { $0 }
    }

    /// Reads a record from JSON. With `requireID`, the JSON must carry an `id`
    /// (and `previous`), as stored records do; without, they are ignored (a draft to
    /// be added).
    public static func from(json: JSONValue, requireID: Bool,
                            defaultProducer: Producer? = nil) throws(RecordFormatError) -> EvidenceRecord {
        guard let o = json.object else { throw RecordFormatError("a record is a JSON object") }
        let allowed: Set<String> = ["format", "id", "kind", "title", "subject", "method", "configuration", "dataset",
                                    "metrics", "artifacts", "producer", "source", "previous", "provenance", "signature"]
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw RecordFormatError("unknown field '\(unknown)' in a record")
        }
        if let f = o["format"], f.string != "warrant.evidence/1" {
            throw RecordFormatError("unsupported record format \(f.canonical); this Warrant reads warrant.evidence/1")
        }
        guard let kind = o["kind"]?.string, !kind.isEmpty else { throw RecordFormatError("a record needs a `kind` string") }
        let producer: Producer
        if let p = o["producer"]?.object, let tool = p["tool"]?.string, let version = p["version"]?.string,
           let time = p["time"]?.string {
            producer = Producer(tool: tool, version: version, host: p["host"]?.string, time: time, numerics: p["numerics"]?.string)
        } else if o["producer"] == nil, let defaultProducer {
            producer = defaultProducer
        } else {
            throw RecordFormatError("a record needs `producer` with `tool`, `version` and `time`")
        }
        var r = EvidenceRecord(kind: kind, producer: producer)
        r.title = o["title"]?.string
        if let s = o["subject"]?.object { r.subject = Subject(name: s["name"]?.string, sha256: s["sha256"]?.string) }
        if let m = o["method"]?.object {
            guard let name = m["name"]?.string, let version = m["version"]?.string else {
                throw RecordFormatError("`method` needs `name` and `version`")
            }
            r.method = Method(name: name, version: version)
        }
        if let c = o["configuration"] {
            guard let obj = c.object else { throw RecordFormatError("`configuration` must be an object") }
            r.configuration = obj
        }
        if let d = o["dataset"]?.object { r.dataset = Dataset(name: d["name"]?.string, sha256: d["sha256"]?.string) }
        if let ms = o["metrics"] {
            guard let obj = ms.object else { throw RecordFormatError("`metrics` must be an object of name → {value}") }
            for (name, m) in obj {
                let value: Double?
                var interval: [Double]?
                var definition: String?
                if let d = number(m) {
                    value = d
                } else if let mo = m.object {
                    value = mo["value"].flatMap(number)
                    interval = mo["interval"]?.array?.compactMap(number)
                    definition = mo["definition"]?.string
                } else {
                    value = nil
                }
                guard let value else { throw RecordFormatError("metric '\(name)' needs a numeric `value`") }
                if let i = interval, i.count != 2 { throw RecordFormatError("metric '\(name)': `interval` is [low, high]") }
                r.metrics[name] = Metric(value, interval: interval, definition: definition)
            }
        }
        if let a = o["artifacts"]?.array {
            for item in a {
                guard let path = item["path"]?.string, let sha = item["sha256"]?.string else {
                    throw RecordFormatError("each artifact needs `path` and `sha256`")
                }
                r.artifacts.append(Artifact(path: path, sha256: sha))
            }
        }
        if let s = o["source"] {
            guard let obj = s.object else { throw RecordFormatError("`source` must be an object") }
            r.source = obj
        }
        if let p = o["provenance"] {
            guard let text = p.string, let provenance = Provenance(rawValue: text) else {
                throw RecordFormatError("`provenance` is \"derived\" or \"asserted\"")
            }
            r.provenance = provenance
        }
        if let s = o["signature"] {
            guard let so = s.object, let signs = so["signs"]?.string, let key = so["key"]?.string, let sig = so["sig"]?.string else {
                throw RecordFormatError("`signature` needs `signs` (a record id), `key` (ed25519:BASE64) and `sig` (base64)")
            }
            r.signature = Signature(signs: signs, key: key, signer: so["signer"]?.string, sig: sig)
        }
        if requireID {
            guard let id = o["id"]?.string else { throw RecordFormatError("a stored record carries its `id`") }
            r.id = id
            r.previous = o["previous"]?.string
        }
        return r
    }

    /// Numbers, and the strings canonical JSON uses for non-finite numbers.
    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .number(let d): return d
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }
}

/// A record that does not have the shape of a Warrant evidence record.
public struct RecordFormatError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
