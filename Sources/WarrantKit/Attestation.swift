import Foundation
import WarrantCore
import WarrantEvidence
import WarrantFiles
import WarrantJSON
import WarrantReport

/// Attested gate verdicts: an in-toto Statement v1 about the files a gate judged, with a
/// Warrant predicate (the verdict and what it rested on), in a DSSE envelope signed with
/// Ed25519. Anyone with the public key can check it without trusting the machine that
/// gated: `warrant attestation verify`, or any DSSE verifier (see scripts/verify-attestation.py).
public enum Attestation {
    public static let statementType = "https://in-toto.io/Statement/v1"
    /// Defined by `schemas/gate-attestation.schema.json`.
    public static let predicateType = "https://warrant.dev/attestation/gate/v1"
    public static let payloadType = "application/vnd.in-toto+json"
    /// The annotation that marks the evidence store's subject (its digest is the chain head).
    static let storeAnnotation = "warrant.evidence_store"

    /// The envelope for a gate over `analyses`, signed with `key`.
    public static func envelope(for analyses: [CaseAnalysis], level: GateLevel?, strict: Bool, key: SigningKey) throws -> String {
        let payload = Array(try statement(for: analyses, level: level, strict: strict).canonical.utf8)
        let sig = try key.sign(DSSE.pae(payloadType: payloadType, payload: payload))
        let envelope: JSONValue = .object([
            "payloadType": .string(payloadType),
            "payload": .string(Data(payload).base64EncodedString()),
            "signatures": .array([.object(["keyid": .string(key.publicKey.keyID), "sig": .string(Data(sig).base64EncodedString())])]),
        ])
        return envelope.pretty + "\n"
    }

    /// The statement: every case file, the model weights and the store head as subjects.
    public static func statement(for analyses: [CaseAnalysis], level: GateLevel?, strict: Bool) throws -> JSONValue {
        var subjects: [String: JSONValue] = [:]
        func add(_ name: String, sha256: String, annotations: [String: JSONValue] = [:]) {
            var s: [String: JSONValue] = ["name": .string(name), "digest": .object(["sha256": .string(sha256)])]
            if !annotations.isEmpty { s["annotations"] = .object(annotations) }
            subjects[name] = .object(s)
        }
        var cases: [JSONValue] = []
        for a in analyses {
            // Case files as read; a library template's virtual path is not a file on disk.
            for path in a.loaded.sources.keys.sorted() where !a.loaded.libraryFiles.contains(path) {
                add(path, sha256: try Hashing.sha256Hex(fileAt: path))
            }
            if let m = a.assuranceCase.header?.modelPath {
                let weights = CaseLoader.resolve(m.value, from: m.location.file)
                if let sha = try? Hashing.modelSHA256(at: weights) { add(weights, sha256: sha) }
            }
            if let store = a.evidence?.store, let head = store.head {
                add(store.store, sha256: head, annotations: [storeAnnotation: .bool(true), "records": .number(Double(store.records))])
            }
            let r = a.report
            let header = a.assuranceCase.header
            var policy: [String: JSONValue] = ["level": .string(header?.level?.rawValue ?? GateLevel.draft.rawValue)]
            if let age = header?.maxEvidenceAge { policy["max_evidence_age"] = .string(age.value) }
            if let pin = header?.evidenceHead { policy["evidence_head"] = .object(["records": .number(Double(pin.records)), "id": .string(pin.id)]) }
            let (trust, _) = TrustPolicy.of(a.loaded)
            policy["signers"] = .array(trust.keys.map { .object(["name": .string($0.name), "keyid": .string($0.key.keyID)]) })
            cases.append(.object([
                "inputs": .array(r.inputs.map(JSONValue.string)),
                "verdict": .string(a.passed ? "pass" : "fail"),
                "level": .string(r.level.rawValue),
                "root": r.root.map(JSONValue.string) ?? .null,
                "root_status": r.rootStatus.map { .string($0.rawValue) } ?? .null,
                "findings": .object(["error": .number(Double(r.count(.error))), "warning": .number(Double(r.count(.warning))),
                                     "info": .number(Double(r.count(.info)))]),
                "policy": .object(policy),
            ]))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rules = try encoder.encode(Rules.all)
        let predicate: JSONValue = .object([
            "verdict": .string(analyses.allSatisfy(\.passed) ? "pass" : "fail"),
            "level": level.map { .string($0.rawValue) } ?? .null,
            "strict": .bool(strict),
            "cases": .array(cases),
            "rules": .object(["count": .number(Double(Rules.all.count)), "sha256": .string(Hashing.sha256Hex(Array(rules)))]),
            "warrant": .object(["version": .string(WarrantVersion.string)]),
        ])
        return .object([
            "_type": .string(statementType),
            "subject": .array(subjects.keys.sorted().compactMap { subjects[$0] }),
            "predicateType": .string(predicateType),
            "predicate": predicate,
        ])
    }

    /// What verifying an attestation found.
    public struct Verification {
        /// Whether a signature by the key verifies over the payload.
        public var signatureValid: Bool
        /// Each subject: its name and what became of it.
        public var subjects: [(name: String, problem: String?)]
        /// The verdict the statement records.
        public var verdict: String?
        public var passed: Bool { signatureValid && subjects.allSatisfy { $0.problem == nil } }
    }

    /// Why an attestation could not be read at all.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks the envelope's signature with `key`, then re-hashes every subject found on
    /// disk (paths relative to the current directory, as the gate wrote them) and checks
    /// that the store still holds the attested head at its position.
    public static func verify(envelopeAt path: String, key: PublicKey) throws -> Verification {
        let bytes = try RegularFile.read(path, limit: 16 << 20)
        guard let envelope = try? JSONValue.parse(bytes), let type = envelope["payloadType"]?.string,
              let payloadText = envelope["payload"]?.string, let payload = Data(base64Encoded: payloadText).map(Array.init),
              let signatures = envelope["signatures"]?.array else {
            throw Malformed(description: "\(path) is not a DSSE envelope (payloadType, payload, signatures)")
        }
        guard type == payloadType else { throw Malformed(description: "\(path): payload type \(type), expected \(payloadType)") }
        let message = DSSE.pae(payloadType: type, payload: payload)
        let valid = signatures.contains { s in
            guard let sig = s["sig"]?.string.flatMap({ Data(base64Encoded: $0) }) else { return false }
            return key.verifies(Array(sig), of: message)
        }
        guard let statement = try? JSONValue.parse(payload), statement["_type"]?.string == statementType,
              statement["predicateType"]?.string == predicateType, let subjects = statement["subject"]?.array else {
            throw Malformed(description: "\(path): the payload is not a Warrant gate statement (in-toto Statement v1)")
        }
        var results: [(String, String?)] = []
        for subject in subjects {
            guard let name = subject["name"]?.string, let digest = subject["digest"]?["sha256"]?.string else {
                results.append(("(unnamed)", "a subject without a name and a sha256 digest"))
                continue
            }
            if subject["annotations"]?[storeAnnotation]?.bool == true {
                results.append((name, storeProblem(name, head: digest, records: subject["annotations"]?["records"]?.number)))
                continue
            }
            do {
                let sha = try Hashing.sha256Hex(fileAt: name)
                results.append((name, sha == digest ? nil : "SHA-256 is \(sha.prefix(16))..., the attestation says \(digest.prefix(16))..."))
            } catch {
                results.append((name, "cannot be read: \(error)"))
            }
        }
        return Verification(signatureValid: valid, subjects: results, verdict: statement["predicate"]?["verdict"]?.string)
    }

    /// Whether the store at `path` verifies and holds `head` as record number `records`.
    static func storeProblem(_ path: String, head: String, records: Double?) -> String? {
        guard let records, records >= 1, records <= Double(Int32.max) else { return "the attestation gives no record count for the store" }
        do {
            let store = try EvidenceStore(path: path, create: false)
            let result = try store.verify()
            if let problem = result.firstProblem { return "the store does not verify: record #\(problem.sequence) \(problem.problem)" }
            let n = Int(records)
            guard n <= result.recordCount else { return "the store holds \(result.recordCount) records, the attestation \(n)" }
            let id = try store.id(atPosition: n)
            return id == head ? nil : "record #\(n) is \(id?.prefix(12) ?? "missing"), the attestation says \(head.prefix(12))"
        } catch {
            return "cannot be read: \(error)"
        }
    }
}
