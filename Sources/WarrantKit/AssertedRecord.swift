import WarrantCore
import WarrantEvidence
import WarrantFiles
import WarrantJSON

/// Records typed in by a person (`warrant evidence add`, `evidence import json`): Warrant
/// cannot derive them again, so each is marked *asserted* whatever it says of itself, and
/// refused when its times are not real times in the past.
public enum AssertedRecord {
    /// Why a typed-in record was refused.
    public enum Failure: Error, CustomStringConvertible {
        case malformedMetric(String)
        case invalidTime(origin: String, field: String, problem: String)
        case unreadable(file: String, reason: String)

        public var description: String {
            switch self {
            case .malformedMetric(let m): return "--metric takes name=value with a number, got '\(m)'"
            case .invalidTime(let origin, let field, let problem): return "\(origin): `\(field)`: \(problem)"
            case .unreadable(let file, let reason): return "\(file): \(reason)"
            }
        }
    }

    /// What `evidence add` takes as flags.
    public struct Fields {
        public var kind: String
        public var title: String?
        /// `name=value` pairs with a number as the value.
        public var metrics: [String] = []
        /// Files to pin by SHA-256 as artifacts.
        public var files: [String] = []
        /// `name@version`.
        public var method: String?

        public init(kind: String, title: String? = nil, metrics: [String] = [], files: [String] = [], method: String? = nil) {
            self.kind = kind
            self.title = title
            self.metrics = metrics
            self.files = files
            self.method = method
        }
    }

    /// A record from flags, its artifacts hashed.
    public static func record(_ fields: Fields, producer: EvidenceRecord.Producer = .current()) throws -> EvidenceRecord {
        var record = EvidenceRecord(kind: fields.kind, producer: producer)
        record.title = fields.title
        for m in fields.metrics {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]) else { throw Failure.malformedMetric(m) }
            record.metrics[parts[0]] = .init(value)
        }
        for file in fields.files {
            record.artifacts.append(.init(path: file, sha256: try Hashing.sha256Hex(fileAt: file)))
        }
        if let method = fields.method {
            let parts = method.split(separator: "@", maxSplits: 1).map(String.init)
            record.method = .init(name: parts.first ?? method, version: parts.count > 1 ? parts[1] : "1")
        }
        return record
    }

    /// Names the model the record is about, by name and by the SHA-256 of its weights.
    public static func setSubject(of record: inout EvidenceRecord, name: String?, weights: String?) throws {
        guard name != nil || weights != nil else { return }
        var subject = record.subject ?? .init()
        if let name { subject.name = name }
        if let weights { subject.sha256 = try Hashing.modelSHA256(at: weights) }
        record.subject = subject
    }

    /// Records from a JSON file holding one record or a list of them (without `id` and
    /// `previous`, which the store sets).
    public static func records(fromJSONFile file: String) throws -> [EvidenceRecord] {
        let data = try RegularFile.read(file, limit: 64 << 20)
        do {
            let value = try JSONValue.parse(data)
            return try (value.array ?? [value]).map { item in
                try EvidenceRecord.from(json: item, requireID: false, defaultProducer: .current())
            }
        } catch {
            throw Failure.unreadable(file: file, reason: "\(error)")
        }
    }

    /// The record marked asserted, or a failure when `producer.time` or `source.created`
    /// is not a real time in the past. `origin` names where it came from, for the message.
    public static func asserted(_ record: EvidenceRecord, from origin: String) throws(Failure) -> EvidenceRecord {
        var r = record
        r.provenance = .asserted
        if let problem = Clock.problem(with: r.producer.time) {
            throw .invalidTime(origin: origin, field: "producer.time", problem: problem)
        }
        if let created = r.source?["created"]?.string, let problem = Clock.problem(with: created) {
            throw .invalidTime(origin: origin, field: "source.created", problem: problem)
        }
        return r
    }
}
