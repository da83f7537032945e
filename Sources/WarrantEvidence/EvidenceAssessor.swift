import WarrantJSON
import Foundation
import WarrantCore

/// The state of one evidence node's evidence.
public enum EvidenceState: Sendable, Equatable {
    case passing
    case missing(String)
    case failing([String])
    case stale(String)
    case wrongKind(String)
    case tampered(String)

    /// What the node contributes to the roll-up: passing supports, failing or
    /// tampered evidence defeats, anything else leaves the claim open.
    public var nodeStatus: NodeStatus {
        switch self {
        case .passing: return .supported
        case .failing, .tampered: return .defeated
        case .missing, .stale, .wrongKind: return .open
        }
    }

    public var name: String {
        switch self {
        case .passing: return "passing"
        case .missing: return "missing"
        case .failing: return "failing"
        case .stale: return "stale"
        case .wrongKind: return "wrong kind"
        case .tampered: return "tampered"
        }
    }
}

/// What the evidence of a case amounts to.
public struct EvidenceAssessment: Sendable {
    public var states: [String: EvidenceState] = [:]
    /// The record each node resolved to, when one was found.
    public var records: [String: EvidenceRecord] = [:]
    public var findings: [Finding] = []

    public init() {}

    /// The evidence status function the checker consults.
    public var statusFunction: @Sendable (ArgumentNode) -> NodeStatus {
        let states = self.states
        return { node in states[node.id]?.nodeStatus ?? .open }
    }
}

/// Resolves every evidence node of a case to its record and judges it: missing,
/// failing (which predicate, actual against required), stale (too old, or about
/// another model), wrong kind, tampered, or passing.
public struct EvidenceAssessor {
    public var store: EvidenceStore?
    public var level: GateLevel
    public var now: Date

    public init(store: EvidenceStore?, level: GateLevel, now: Date = Clock.now()) {
        self.store = store
        self.level = level
        self.now = now
    }

    public func assess(_ loaded: LoadResult) -> EvidenceAssessment {
        var result = EvidenceAssessment()
        let c = loaded.assuranceCase
        func emit(_ rule: Rule, _ at: SourceLocation?, _ message: String, hint: String? = nil, node: String? = nil) {
            result.findings.append(Finding(rule: rule.id, severity: rule.severity(at: level), location: at,
                                           message: message, hint: hint, node: node))
        }

        // The case's model, hashed once.
        var modelSHA: String?
        if let model = c.header?.modelPath {
            let path = CaseLoader.resolve(model.value, from: model.location.file)
            if let sha = try? Hashing.sha256Hex(fileAt: path) {
                modelSHA = sha
            } else {
                emit(Rules.modelMissing, model.location, "the model file \(path) cannot be read, so evidence cannot be checked against it",
                     hint: "point `case.system.model.path` at the model's weights, relative to the case file")
            }
        }
        let policyAge = c.header?.maxEvidenceAge.flatMap { AgeParser.seconds($0.value) }

        // A broken chain makes every record suspect: report it once, at the case.
        var chainBroken = false
        if let store, let verification = try? store.verify(), let problem = verification.firstProblem {
            chainBroken = true
            emit(Rules.evidenceTampered, c.header?.location,
                 "the evidence store \(store.path) does not verify: record #\(problem.sequence) (\(problem.id.prefix(12))) \(problem.problem)",
                 hint: "run `warrant evidence verify` for details")
        }

        for node in c.nodes where node.type == .evidence {
            guard let spec = node.evidence, spec.isLinked else {
                result.states[node.id] = .missing("no link")
                emit(Rules.evidenceMissing, node.location,
                     "evidence '\(node.id)' does not say where its evidence is",
                     hint: "add `record: ID`, `source: { inspect: LOG }`, `source: { file: PATH, sha256: HEX }` or `eval: { method: ... }`",
                     node: node.id)
                continue
            }
            let (state, record, at) = judge(node: node, spec: spec, modelSHA: modelSHA, policyAge: policyAge)
            var final = state
            if chainBroken, case .passing = state { final = .tampered("the store's hash chain is broken") }
            result.states[node.id] = final
            if let record { result.records[node.id] = record }
            switch final {
            case .passing: break
            case .missing(let why):
                emit(Rules.evidenceMissing, at, "evidence '\(node.id)' is missing: \(why)", hint: hintForMissing(spec), node: node.id)
            case .failing(let reasons):
                for reason in reasons { emit(Rules.evidenceFailing, at, "evidence '\(node.id)' fails: \(reason)", node: node.id) }
            case .stale(let why):
                emit(Rules.evidenceStale, at, "evidence '\(node.id)' is stale: \(why)", hint: "re-run the evaluation, or re-import its result", node: node.id)
            case .wrongKind(let why):
                emit(Rules.evidenceWrongKind, at, "evidence '\(node.id)' is of the wrong kind: \(why)", node: node.id)
            case .tampered(let why):
                emit(Rules.evidenceTampered, at, "evidence '\(node.id)' does not verify: \(why)", node: node.id)
            }
        }
        return result
    }

    func hintForMissing(_ spec: EvidenceSpec) -> String? {
        if let log = spec.inspectLog {
            return "import it: warrant evidence import inspect \(log.value) --case CASE --kind KIND --model-file MODEL"
        }
        if spec.evaluation != nil { return "`warrant build` runs the evaluations a case declares" }
        if spec.record != nil { return "`warrant evidence list` shows the stored records" }
        return nil
    }

    func judge(node: ArgumentNode, spec: EvidenceSpec, modelSHA: String?, policyAge: Double?)
        -> (EvidenceState, EvidenceRecord?, SourceLocation)
    {
        let file = node.location.file
        // A pinned file is its own evidence.
        if let pinned = spec.file {
            let path = CaseLoader.resolve(pinned.value, from: file)
            guard let sha = try? Hashing.sha256Hex(fileAt: path) else {
                return (.missing("the file \(path) cannot be read"), nil, pinned.location)
            }
            if let expected = spec.fileSHA256, expected.value != sha {
                return (.tampered("\(path) has SHA-256 \(sha.prefix(16))..., but the case pins \(expected.value.prefix(16))..."), nil, expected.location)
            }
            if let first = spec.requirements.first {
                return (.failing(["a pinned file has no metrics, so `\(first.text)` cannot hold"]), nil, first.location)
            }
            return (.passing, nil, pinned.location)
        }
        guard let store else {
            let at = spec.record?.location ?? spec.inspectLog?.location ?? spec.evaluation?.location ?? spec.location
            return (.missing("there is no evidence store yet"), nil, at)
        }
        var record: EvidenceRecord?
        var at = spec.location
        if let id = spec.record {
            at = id.location
            record = try? store.record(id: id.value)
            if record == nil { return (.missing("no record '\(id.value)' in \(store.path)"), nil, at) }
        } else if let log = spec.inspectLog {
            at = log.location
            let path = CaseLoader.resolve(log.value, from: file)
            guard let sha = try? Hashing.sha256Hex(fileAt: path) else {
                return (.missing("the Inspect log \(path) cannot be read"), nil, at)
            }
            record = (try? store.records(sourceSHA256: sha))?.last
            if record == nil {
                if let old = (try? store.records(kind: nil))?.last(where: { r in
                    r.source?["path"]?.string.map { CaseLoader.normalize($0) == CaseLoader.normalize(path) } ?? false
                }) {
                    return (.stale("the log \(path) changed since it was imported (record \(old.id.prefix(12)))"), old, at)
                }
                return (.missing("the Inspect log \(path) has not been imported into \(store.path)"), nil, at)
            }
        } else if let recipe = spec.evaluation {
            at = recipe.location
            let configuration = Self.json(recipe)
            let method = configuration["method"]?.string ?? ""
            var config = configuration
            config.removeValue(forKey: "method")
            let candidates = (try? store.records(method: method)) ?? []
            record = candidates.last { r in
                config.allSatisfy { r.configuration[$0.key] == $0.value }
                    && (modelSHA == nil || r.subject?.sha256 == modelSHA)
            }
            if record == nil {
                if candidates.contains(where: { r in config.allSatisfy { r.configuration[$0.key] == $0.value } }) {
                    return (.stale("the store has this evaluation only for another model (weights changed since it ran)"), nil, at)
                }
                return (.missing("no record of this `\(method)` evaluation yet"), nil, at)
            }
        }
        guard let record else { return (.missing("no record"), nil, at) }

        if record.contentHash != record.id {
            return (.tampered("record \(record.id.prefix(12)) does not match its hash"), record, at)
        }
        if !spec.accepts.isEmpty, !spec.accepts.contains(where: { $0.value == record.kind }) {
            return (.wrongKind("record kind '\(record.kind)', accepted: \(spec.accepts.map(\.value).joined(separator: ", "))"),
                    record, spec.accepts[0].location)
        }
        if let modelSHA, let subject = record.subject?.sha256, subject != modelSHA {
            return (.stale("it is about another model: record weights \(subject.prefix(12))..., case model \(modelSHA.prefix(12))..."), record, at)
        }
        if let maxAge = spec.maxAgeSeconds ?? policyAge {
            let created = record.source?["created"]?.string ?? record.producer.time
            if let date = Clock.parse(created), now.timeIntervalSince(date) > maxAge {
                let days = Int(now.timeIntervalSince(date) / 86_400)
                let limit = spec.maxAge?.value ?? "the policy's max_evidence_age"
                return (.stale("it is \(days) days old; the limit is \(limit)"), record, spec.maxAge?.location ?? at)
            }
        }
        var failures: [String] = []
        var failureAt = at
        for requirement in spec.requirements {
            guard let metric = record.metrics[requirement.metric] else {
                let known = record.metrics.keys.sorted().prefix(8).joined(separator: ", ")
                failures.append("`\(requirement.text)`: the record has no metric '\(requirement.metric)' (it has: \(known.isEmpty ? "none" : known))")
                failureAt = requirement.location
                continue
            }
            if metric.value.isNaN {
                failures.append("`\(requirement.text)`: \(requirement.metric) is NaN (unscored)")
                failureAt = requirement.location
            } else if !requirement.op.holds(metric.value, requirement.value) {
                failures.append("\(requirement.metric) = \(JSONValue.format(metric.value)), required \(requirement.op.rawValue) \(JSONValue.format(requirement.value))")
                failureAt = requirement.location
            }
        }
        if !failures.isEmpty { return (.failing(failures), record, failureAt) }
        return (.passing, record, at)
    }

    /// An `eval:` recipe as JSON, for comparing with a record's configuration.
    public static func json(_ node: YAMLNode) -> [String: JSONValue] {
        json(value: node).object ?? [:]
    }

    static func json(value node: YAMLNode) -> JSONValue {
        switch node.content {
        case .mapping(let pairs):
            var o: [String: JSONValue] = [:]
            for p in pairs { if let k = p.key.scalar?.value { o[k] = json(value: p.value) } }
            return .object(o)
        case .sequence(let items): return .array(items.map(json(value:)))
        case .scalar(let s):
            switch s.resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .number(Double(i))
            case .float(let d): return .number(d)
            case .string: return .string(s.value)
            }
        }
    }
}
