import WarrantJSON
import Foundation
import WarrantFiles
import WarrantCore

/// The state of one evidence node's evidence.
public enum EvidenceState: Sendable, Equatable {
    case passing
    case missing(String)
    /// Each failed requirement: what failed, and where the predicate is written.
    case failing([Failure])

    /// One `require` predicate that does not hold.
    public struct Failure: Sendable, Equatable {
        public var message: String
        public var location: SourceLocation
        public init(_ message: String, at location: SourceLocation) { self.message = message; self.location = location }
    }
    case stale(String)
    case wrongKind(String)
    case tampered(String)
    /// Typed in, not derived, and not accepted by the node: does not count at release.
    case asserted(String)
    /// The record's time cannot be trusted (unparseable, or in the future).
    case invalidTime(String)

    /// What the node contributes to the roll-up: passing supports, failing or
    /// tampered evidence defeats, anything else leaves the claim open.
    public var nodeStatus: NodeStatus {
        switch self {
        case .passing: return .supported
        case .failing, .tampered: return .defeated
        case .missing, .stale, .wrongKind, .asserted, .invalidTime: return .open
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
        case .asserted: return "asserted"
        case .invalidTime: return "invalid time"
        }
    }
}

/// What the evidence of a case amounts to.
public struct EvidenceAssessment: Sendable {
    public var states: [String: EvidenceState] = [:]
    /// The record each node resolved to, when one was found.
    public var records: [String: EvidenceRecord] = [:]
    public var findings: [Finding] = []
    /// The trusted signers of each evidence node's record (valid signatures by keys the
    /// case lists), by node id.
    public var signers: [String: [String]] = [:]
    /// The store judged against, and its chain head as verified (nil without a store).
    public var store: CheckOutput.EvidenceStoreEntry?

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
    /// The version of each built-in evaluation method this Warrant runs (`sae`, `lib`,
    /// ...): a record of another version is stale, as `build` would re-run it.
    public var methodVersions: [String: String]

    public init(store: EvidenceStore?, level: GateLevel, now: Date = Clock.now(), methodVersions: [String: String] = [:]) {
        self.store = store
        self.level = level
        self.now = now
        self.methodVersions = methodVersions
    }

    /// Judges every evidence node. Throws when the store cannot be read: a verdict
    /// about evidence that could not be looked at would be a guess.
    public func assess(_ loaded: LoadResult) throws(StoreError) -> EvidenceAssessment {
        var result = EvidenceAssessment()
        let c = loaded.assuranceCase
        func emit(_ rule: Rule, _ at: SourceLocation?, _ message: String, hint: String? = nil, node: String? = nil,
                  severity: Severity? = nil) {
            result.findings.append(Finding(rule: rule.id, severity: severity ?? rule.severity(at: level), location: at,
                                           message: message, hint: hint, node: node))
        }
        // Evidence that supports defeaters only: when it fails, the defeaters it would have
        // sustained are refuted, which is what the case argues, not a problem with it.
        var supportedBy: [String: [ArgumentNode]] = [:]
        for node in c.nodes { for ref in node.supportedBy { supportedBy[ref.target, default: []].append(node) } }
        func refutedDefeaters(_ id: String) -> [String]? {
            guard let parents = supportedBy[id], !parents.isEmpty, parents.allSatisfy({ $0.type == .defeater }) else { return nil }
            return parents.map(\.id)
        }

        // The case's model, hashed once.
        var modelSHA: String?
        if let model = c.header?.modelPath {
            let path = CaseLoader.resolve(model.value, from: model.location.file)
            if let problem = loaded.scope.problem(dataFile: path) {
                emit(Rules.pathOutsideCase, model.location, "the model file cannot be read: \(problem)",
                     hint: "add its folder to `case.policy.read_roots`")
            } else {
                do {
                    modelSHA = try Hashing.modelSHA256(at: path, scope: loaded.scope.problem(dataFile:))
                } catch {
                    emit(Rules.modelMissing, model.location, "the model file cannot be read (\(error)), so evidence cannot be checked against it",
                         hint: "point `case.system.model.path` at the model's weights, relative to the case file")
                }
            }
        } else if c.nodes.contains(where: { $0.type == .evidence }) {
            emit(Rules.modelUndeclared, c.header?.location,
                 "the case does not name its model, so evidence about any model would be accepted",
                 hint: "add `system: { model: { path: WEIGHTS } }` under `case:`")
        }
        let policyAge = c.header?.maxEvidenceAge.flatMap { AgeParser.seconds($0.value) }

        // A broken chain, or one that does not extend the pinned head, makes every record
        // suspect: report it once, and no evidence passes.
        var chainBroken = false
        let pin = c.header?.evidenceHead
        var usable = VerifiedRecords(records: [])
        if let store {
            let (verification, verified) = try store.verifiedRecords()
            var pinHolds = false
            if let problem = verification.firstProblem {
                chainBroken = true
                emit(Rules.evidenceTampered, c.header?.location,
                     "the evidence store \(store.path) does not verify: record #\(problem.sequence) (\(problem.id.prefix(12))) \(problem.problem)",
                     hint: "run `warrant evidence verify` for details")
            }
            var afterPin = 0
            if let pin {
                // The record at the pinned position: from the verified records, or, when the
                // chain is already reported broken, as stored, to say what became of the pin.
                let atPin = verification.isValid ? (pin.records <= verified.count ? verified[pin.records - 1].id : nil)
                    : try store.id(atPosition: pin.records)
                let hint = "restore the store, or re-judge the case and pin the new head (`warrant evidence head`)"
                if verification.recordCount < pin.records {
                    chainBroken = true
                    emit(Rules.evidenceTampered, pin.location,
                         "the store holds \(verification.recordCount) records, but the case pins a chain of \(pin.records) ending in \(pin.id.prefix(12)): records were removed",
                         hint: hint)
                } else if atPin != pin.id {
                    chainBroken = true
                    emit(Rules.evidenceTampered, pin.location,
                         "record #\(pin.records) of the store is \(atPin?.prefix(12) ?? "missing"), but the case pins \(pin.id.prefix(12)): the chain was rewritten or forked",
                         hint: hint)
                } else if verification.isValid {
                    pinHolds = true
                    // The case was judged against the pinned records: what was appended since
                    // (by a build, or by anyone who can write the store) counts once re-pinned.
                    afterPin = verified.count - pin.records
                    usable = VerifiedRecords(records: Array(verified.prefix(pin.records)))
                }
            } else {
                usable = VerifiedRecords(records: verified)
            }
            result.store = .init(store: store.path, records: verification.recordCount,
                                 head: verification.isValid ? verification.head : nil, pinned: pinHolds, afterPin: afterPin)
        } else if let pin {
            chainBroken = true
            emit(Rules.evidenceTampered, pin.location,
                 "the case pins a chain of \(pin.records) records, but there is no evidence store",
                 hint: "point --store at the store the case was judged against")
        }
        var derivations = Derivations()
        let (trust, trustFindings) = TrustPolicy.of(loaded)
        result.findings += trustFindings

        for node in c.nodes where node.type == .evidence {
            guard let spec = node.evidence, spec.isLinked else {
                result.states[node.id] = .missing("no link")
                emit(Rules.evidenceMissing, node.location,
                     "evidence '\(node.id)' does not say where its evidence is",
                     hint: "add `record: ID`, `source: { inspect: LOG }`, `source: { file: PATH, sha256: HEX }` or `eval: { method: ... }`",
                     node: node.id)
                continue
            }
            let (state, record, at) = judge(node: node, spec: spec, modelSHA: modelSHA, policyAge: policyAge, scope: loaded.scope,
                                            records: usable, trust: trust, derivations: &derivations)
            if let record {
                result.signers[node.id] = usable.trustedSigners(of: record, trust)
                for (signature, check) in usable.signatureChecks(of: record) {
                    switch check {
                    case .valid(let key) where trust.name(of: key) == nil:
                        emit(Rules.evidenceSignature, at,
                             "record \(record.id.prefix(12)) of evidence '\(node.id)' is signed by key \(key) (signature record \(signature.id.prefix(12))), which the case does not trust",
                             hint: "if this key is a trusted signer's, list it under `case.policy.signers`", node: node.id)
                    case .invalid(let key, let reason):
                        emit(Rules.evidenceSignature, at,
                             "the signature of record \(record.id.prefix(12)) of evidence '\(node.id)' by key \(key) (signature record \(signature.id.prefix(12))) is invalid: \(reason)",
                             hint: "someone who can write the store altered or forged it; sign the record again", node: node.id)
                    default: break
                    }
                }
            }
            var final = state
            // Nothing from a store that does not verify is believed, passing or not.
            if chainBroken, spec.file == nil { final = .tampered("the store's hash chain is broken or does not extend the pinned head") }
            result.states[node.id] = final
            if let record { result.records[node.id] = record }
            switch final {
            case .passing: break
            case .missing(let why):
                emit(Rules.evidenceMissing, at, "evidence '\(node.id)' is missing: \(why)", hint: hintForMissing(spec), node: node.id)
            case .failing(let reasons):
                if let defeaters = refutedDefeaters(node.id) {
                    let named = defeaters.map { "'\($0)'" }.joined(separator: ", ")
                    for f in reasons {
                        emit(Rules.evidenceFailing, f.location,
                             "evidence '\(node.id)' fails: \(f.message); it supports only defeater\(defeaters.count == 1 ? "" : "s") \(named), which \(defeaters.count == 1 ? "is" : "are") therefore refuted",
                             node: node.id, severity: .info)
                    }
                } else {
                    for f in reasons { emit(Rules.evidenceFailing, f.location, "evidence '\(node.id)' fails: \(f.message)", node: node.id) }
                }
            case .stale(let why):
                emit(Rules.evidenceStale, at, "evidence '\(node.id)' is stale: \(why)", hint: "re-run the evaluation, or re-import its result", node: node.id)
            case .wrongKind(let why):
                emit(Rules.evidenceWrongKind, at, "evidence '\(node.id)' is of the wrong kind: \(why)", node: node.id)
            case .tampered(let why):
                emit(Rules.evidenceTampered, at, "evidence '\(node.id)' does not verify: \(why)", node: node.id)
            case .asserted(let why):
                emit(Rules.evidenceAsserted, at, "evidence '\(node.id)' is asserted, not derived: \(why)",
                     hint: "derive it (an Inspect log named by `source: { inspect: }`, or an `eval:` recipe), have a signer listed in `policy.signers` sign it (`warrant evidence sign`), or say why it is accepted with `accept_asserted: \"...\"`",
                     node: node.id)
            case .invalidTime(let why):
                emit(Rules.invalidDate, at, "evidence '\(node.id)' has a time that cannot be trusted: \(why)",
                     hint: "re-run or re-import it on a machine whose clock is right", node: node.id)
            }
        }
        return result
    }

    func hintForMissing(_ spec: EvidenceSpec) -> String? {
        if let log = spec.inspectLog {
            let command = spec.sourceFormat == "inspect" ? "inspect" : "results --format \(spec.sourceFormat)"
            return "import it: warrant evidence import \(command) \(log.value) --case CASE --kind KIND --model-file MODEL (or `warrant build`)"
        }
        if spec.evaluation != nil { return "`warrant build` runs the evaluations a case declares" }
        if spec.record != nil { return "`warrant evidence list` shows the stored records" }
        return nil
    }

    /// The Inspect logs a case names are read once each, at most this large.
    static let maxLogBytes = InspectImporter.maxLogBytes

    func judge(node: ArgumentNode, spec: EvidenceSpec, modelSHA: String?, policyAge: Double?, scope: ReadScope,
               records: VerifiedRecords, trust: TrustPolicy, derivations: inout Derivations)
        -> (EvidenceState, EvidenceRecord?, SourceLocation)
    {
        let file = node.location.file
        // A pinned file is its own evidence.
        if let pinned = spec.file {
            let path = CaseLoader.resolve(pinned.value, from: file)
            if let problem = scope.problem(dataFile: path) { return (.missing(problem), nil, pinned.location) }
            let sha: String
            do {
                sha = try Hashing.sha256Hex(fileAt: path)
            } catch {
                return (.missing("the file cannot be read: \(error)"), nil, pinned.location)
            }
            if let expected = spec.fileSHA256, expected.value != sha {
                return (.tampered("\(path) has SHA-256 \(sha.prefix(16))..., but the case pins \(expected.value.prefix(16))..."), nil, expected.location)
            }
            if let first = spec.requirements.first {
                return (.failing([.init("a pinned file has no metrics, so `\(first.text)` cannot hold", at: first.location)]), nil, first.location)
            }
            return (.passing, nil, pinned.location)
        }
        guard let store else {
            let at = spec.record?.location ?? spec.inspectLog?.location ?? spec.evaluation?.location ?? spec.location
            return (.missing("there is no evidence store yet"), nil, at)
        }
        var record: EvidenceRecord?
        var at = spec.location
        /// Why a record that claims to be derived cannot be taken as such.
        var notDerived: String?
        if let id = spec.record {
            at = id.location
            record = records.record(id: id.value)
            if record == nil { return (.missing("no record '\(id.value)' in \(store.path)"), nil, at) }
            if record?.source?["sha256"]?.string != nil {
                notDerived = "it came from a file the case does not name, so it cannot be re-derived (name the log with `source: { inspect: PATH }`)"
            }
        } else if let log = spec.inspectLog {
            at = log.location
            let path = CaseLoader.resolve(log.value, from: file)
            let format = ResultFileImporter.Format(rawValue: spec.sourceFormat) ?? .inspect
            if let problem = scope.problem(dataFile: path) { return (.missing(problem), nil, at) }
            // One read serves the hash and the re-derivation, so the two see the same bytes.
            let bytes: [UInt8]
            do {
                bytes = try RegularFile.read(path, limit: Self.maxLogBytes)
            } catch {
                return (.missing("the \(format.fileName) cannot be read: \(error)"), nil, at)
            }
            let sha = Hashing.sha256Hex(bytes)
            if let pinned = spec.fileSHA256, pinned.value != sha {
                return (.tampered("the log \(path) has SHA-256 \(sha.prefix(16))..., but the case pins \(pinned.value.prefix(16))..."), nil, pinned.location)
            }
            let imported = records.bySource[sha] ?? []
            guard let latest = imported.last else {
                if let old = records.records.last(where: { r in
                    r.source?["path"]?.string.map { CaseLoader.normalize($0) == CaseLoader.normalize(path) } ?? false
                }) {
                    return (.stale("the log \(path) changed since it was imported (record \(old.id.prefix(12)))"), old, at)
                }
                return (.missing("the \(format.fileName) \(path) has not been imported into \(store.path)"), nil, at)
            }
            record = latest
            // Derive the log's record again from the log itself (once per log), and compare
            // every record imported from it.
            let fresh = derivations.derive(sha: sha, log: bytes, path: path, format: format)
            for candidate in imported {
                if let difference = Self.difference(candidate, from: fresh) {
                    return (.tampered("record \(candidate.id.prefix(12)) differs from the log it was imported from: \(difference)"), candidate, at)
                }
            }
            if let edits = latest.source?["edited_scores"]?.number, edits > 0 {
                notDerived = "\(JSONValue.format(edits)) of the log's scores were edited after the run"
            } else if let updates = latest.source?["log_updates"]?.number, updates > 0 {
                notDerived = "the log was edited after the run (\(JSONValue.format(updates)) log update\(updates == 1 ? "" : "s"))"
            }
            if let status = latest.source?["status"]?.string, status != "success" {
                return (.stale("the log's run did not succeed (status '\(status)'); only a complete run is evidence"), latest, at)
            }
            if latest.source?["invalidated"]?.bool == true {
                return (.stale("the log has invalidated samples, so its scores are not the run's"), latest, at)
            }
        } else if let recipe = spec.evaluation {
            at = recipe.location
            var config = Self.json(recipe)
            let method = config.removeValue(forKey: "method")?.string ?? ""
            let candidates = records.byMethod[method] ?? []
            let maxAge = spec.maxAgeSeconds ?? policyAge
            switch RecordMatcher.match(method: method, configuration: config, modelSHA256: modelSHA,
                                       currentVersion: methodVersions[method], maxAge: maxAge, now: now, in: candidates) {
            case .fresh(let r):
                record = r
            case .methodChanged(let r, let from, let to):
                return (.stale("its record \(r.id.prefix(12)) is from `\(method)` version \(from); this Warrant runs version \(to) (`warrant build` re-runs it)"), r, at)
            case .tooOld(let r, let days, let field):
                let limit = spec.maxAge?.value ?? "the policy's max_evidence_age"
                return (.stale("it is \(days) days old by its `\(field)`; the limit is \(limit)"), r, spec.maxAge?.location ?? at)
            case .invalidTime(let r, let field, let problem):
                return (.invalidTime("record \(r.id.prefix(12)), `\(field)`: \(problem)"), r, at)
            case .modelChanged:
                return (.stale("the store has this evaluation only for another model (weights changed since it ran)"), nil, at)
            case .missing:
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
        if modelSHA != nil, record.subject?.sha256 == nil {
            return (.stale("the record names no model weights, so it cannot be about the case's model"), record, at)
        }
        switch Freshness.judge(record, maxAge: spec.maxAgeSeconds ?? policyAge, now: now) {
        case .fresh: break
        case .tooOld(let days, let field):
            let limit = spec.maxAge?.value ?? "the policy's max_evidence_age"
            return (.stale("it is \(days) days old by its `\(field)`; the limit is \(limit)"), record, spec.maxAge?.location ?? at)
        case .invalidTime(let field, let problem):
            return (.invalidTime("record \(record.id.prefix(12)), `\(field)`: \(problem)"), record, at)
        }
        var failures: [EvidenceState.Failure] = []
        for requirement in spec.requirements {
            let value: Double, definition: String?
            switch record.requirementValue(requirement.metric) {
            case .value(let v, let d):
                value = v
                definition = d
            case .noMetric(let known):
                let shown = known.prefix(8).joined(separator: ", ")
                failures.append(.init("`\(requirement.text)`: the record has no metric '\(requirement.metric)' (it has: \(shown.isEmpty ? "none" : shown))",
                                      at: requirement.location))
                continue
            case .noInterval(let metric):
                failures.append(.init("`\(requirement.text)`: \(metric) has no interval in the record, so `\(requirement.metric)` cannot be read",
                                      at: requirement.location))
                continue
            }
            if value.isNaN {
                // A ratio whose denominator was zero says so in its definition.
                let undefined = definition.flatMap { d in d.range(of: "(undefined: ").map { String(d[$0.upperBound...].dropLast()) } }
                failures.append(.init("`\(requirement.text)`: \(requirement.metric) is " + (undefined.map { "undefined (\($0))" } ?? "NaN (unscored)"),
                                      at: requirement.location))
            } else if !value.isFinite {
                failures.append(.init("`\(requirement.text)`: \(requirement.metric) is \(value > 0 ? "" : "-")Infinity, not a measurement", at: requirement.location))
            } else if !requirement.op.holds(value, requirement.value) {
                failures.append(.init("\(requirement.metric) = \(DisplayNumber.format(value, distinctFrom: requirement.value)), required \(requirement.op.rawValue) \(DisplayNumber.exact(requirement.value))",
                                      at: requirement.location))
            }
        }
        if let last = failures.last { return (.failing(failures), record, last.location) }
        // A signer the case trusts vouches for what Warrant cannot derive again.
        if spec.acceptAsserted == nil, records.trustedSigners(of: record, trust).isEmpty {
            if record.effectiveProvenance == .asserted {
                return (.asserted("record \(record.id.prefix(12)) was typed in (\(record.producer.tool) \(record.producer.version)) and no signer the case trusts has signed it"), record, at)
            }
            if let notDerived { return (.asserted(notDerived), record, at) }
        }
        return (.passing, record, at)
    }

    /// What differs between a record imported from an Inspect log and the record the
    /// same log gives when it is imported again (`fresh`), or nil when they agree. Metrics
    /// are compared one by one (as numbers; NaN equals NaN), and so are the facts about the
    /// run the record keeps (type, task, status, creation time, invalidation, edits).
    static func difference(_ record: EvidenceRecord, from fresh: Result<EvidenceRecord, InspectImporter.ImportError>) -> String? {
        let derived: EvidenceRecord
        switch fresh {
        case .success(let r): derived = r
        case .failure(let error): return "the log no longer imports (\(error))"
        }
        // Enough digits that the two values read differently.
        func show(_ m: EvidenceRecord.Metric?, against other: EvidenceRecord.Metric?) -> String {
            m.map { DisplayNumber.format($0.value, distinctFrom: other?.value) } ?? "absent"
        }
        for name in Set(record.metrics.keys).union(derived.metrics.keys).sorted() {
            let a = record.metrics[name], b = derived.metrics[name]
            let same = a.map { x in b.map { y in x.value == y.value || (x.value.isNaN && y.value.isNaN) } ?? false } ?? (b == nil)
            if !same { return "the record says \(name) = \(show(a, against: b)), the log says \(show(b, against: a))" }
        }
        for key in ["type", "sha256", "task", "status", "created", "invalidated", "edited_scores", "log_updates", "log_version",
                    "git_hash", "eval_type_id", "sae_lens_id", "sae_bench_commit_hash", "unique_id"] {
            let a = record.source?[key], b = derived.source?[key]
            if a != b { return "the record says `source.\(key)` is \(a?.canonical ?? "absent"), the log says \(b?.canonical ?? "absent")" }
        }
        if record.method != derived.method {
            return "the record's method is \(record.method.map { "\($0.name)@\($0.version)" } ?? "absent"), the log's \(derived.method.map { "\($0.name)@\($0.version)" } ?? "absent")"
        }
        return nil
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

/// The verified records of a store, indexed in memory by what their bodies say.
struct VerifiedRecords {
    var records: [EvidenceRecord]
    var bySource: [String: [EvidenceRecord]] = [:]
    var byMethod: [String: [EvidenceRecord]] = [:]
    /// Signature records, by the id of the record each signs.
    var signatures: [String: [EvidenceRecord]] = [:]

    init(records: [EvidenceRecord]) {
        self.records = records
        for r in records {
            if let sha = r.source?["sha256"]?.string { bySource[sha, default: []].append(r) }
            if let m = r.method?.name { byMethod[m, default: []].append(r) }
            if r.kind == EvidenceRecord.signatureKind, let s = r.signature { signatures[s.signs, default: []].append(r) }
        }
    }

    /// Each signature of `record`: the signature record, and what checking it gave.
    func signatureChecks(of record: EvidenceRecord) -> [(record: EvidenceRecord, check: SignatureCheck)] {
        (signatures[record.id] ?? []).map { ($0, $0.check(signatureOf: record)) }
    }

    /// The trusted signers whose valid signatures `record` carries, in the order signed.
    func trustedSigners(of record: EvidenceRecord, _ trust: TrustPolicy) -> [String] {
        var names: [String] = []
        for (_, check) in signatureChecks(of: record) {
            if case .valid(let key) = check, let name = trust.name(of: key), !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The record with this id, or the only one whose id starts with it (at least 8 hex digits).
    func record(id: String) -> EvidenceRecord? {
        let key = id.lowercased()
        guard key.count >= 8, key.count <= 64, key.allSatisfy(\.isHexDigit) else { return nil }
        let matches = records.filter { $0.id.hasPrefix(key) }
        return matches.count == 1 ? matches[0] : nil
    }
}

/// Each Inspect log read at check time is derived once, however many records name it.
struct Derivations {
    private var cache: [String: Result<EvidenceRecord, InspectImporter.ImportError>] = [:]

    mutating func derive(sha: String, log: [UInt8], path: String,
                         format: ResultFileImporter.Format = .inspect) -> Result<EvidenceRecord, InspectImporter.ImportError> {
        if let known = cache[sha] { return known }
        var options = InspectImporter.Options()
        options.allowIncomplete = true
        options.allowInvalidated = true
        let producer = EvidenceRecord.Producer(tool: "warrant", version: "check", time: "1970-01-01T00:00:00Z")
        // The log's own time is judged by the freshness rule; here only its content counts.
        let result = Result { () throws(InspectImporter.ImportError) -> EvidenceRecord in
            try ResultFileImporter.record(from: log, path: path, format: format, options: options, producer: producer, now: .distantFuture)
        }
        cache[sha] = result
        return result
    }
}
