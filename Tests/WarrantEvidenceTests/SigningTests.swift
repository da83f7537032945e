import Foundation
import Testing
import WarrantJSON
@testable import WarrantCore
@testable import WarrantEvidence

@Suite("Signatures: keys, DSSE and the trust policy")
struct SigningTests {
    @Test("DSSE's pre-authentication encoding, as the spec's example gives it")
    func pae() {
        let encoded = DSSE.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: encoded, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test("a signature verifies for its record and no other; a key round-trips through its text")
    func signAndVerify() throws {
        let key = SigningKey()
        let record = sampleRecord(1).sealed(previous: nil)
        let signature = try record.signatureRecord(key: key, signer: "red-team", producer: testProducer).sealed(previous: record.id)
        #expect(signature.check(signatureOf: record) == .valid(key.publicKey))
        let other = sampleRecord(2).sealed(previous: nil)
        #expect(signature.check(signatureOf: other) == .notASignature)
        #expect(try PublicKey(text: key.publicKey.description) == key.publicKey)
        #expect(throws: KeyError.self) { try PublicKey(text: "ed25519:AAAA") }
        #expect(throws: KeyError.self) { try PublicKey(text: "rsa:" + Data(repeating: 1, count: 32).base64EncodedString()) }
    }

    @Test("key files: the private key is mode 600, one that others can read is refused, existing files are kept")
    func keyFiles() throws {
        let dir = try Scratch()
        let written = try KeyFiles.generate(name: dir.path("k"))
        var info = stat()
        #expect(stat(written.privatePath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let loaded = try KeyFiles.signingKey(at: written.privatePath)
        #expect(loaded.publicKey == written.key)
        #expect(try KeyFiles.publicKey(written.publicPath) == written.key)
        chmod(written.privatePath, 0o644)
        #expect { try KeyFiles.signingKey(at: written.privatePath) } throws: { error in
            if case KeyError.exposed = error { return true } else { return false }
        }
        #expect(throws: KeyError.self) { try KeyFiles.generate(name: dir.path("k")) }
    }
}

@Suite("Signed evidence at release")
struct SignedEvidenceTests {
    /// A case whose one evidence node names a typed-in record; `signers` lists trusted keys.
    func makeCase(_ dir: Scratch, record: String, signers: [(String, PublicKey)]) throws -> String {
        try dir.write("model.bin", "weights v1")
        let list = signers.map { "      - { name: \($0.0), key: \"\($0.1)\" }" }.joined(separator: "\n")
        return try dir.write("case.yaml", """
        warrant: 1
        case:
          id: t
          system: { model: { path: model.bin } }
          policy:
            level: release
        \(signers.isEmpty ? "" : "    signers:\n" + list)
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1:
            type: evidence
            text: b
            record: \(record)
            accepts: [red_team_report]
            require: ["upper_bound <= 0.01"]
        """)
    }

    /// A typed-in red-team record about the case's model, as `evidence add` stores it.
    func typedIn(_ dir: Scratch, store: EvidenceStore) throws -> EvidenceRecord {
        var r = EvidenceRecord(kind: "red_team_report", producer: testProducer)
        r.metrics["upper_bound"] = .init(0.003)
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.write("model.bin", "weights v1")))
        r.provenance = .asserted
        return try store.append(r)
    }

    func check(_ path: String, store: EvidenceStore) throws -> CheckReport {
        var loaded = try CaseLoader().load(paths: [path])[0]
        let assessment = try EvidenceAssessor(store: store, level: .release).assess(loaded)
        loaded.findings += assessment.findings
        return Checker.check(loaded, options: CheckOptions(level: .release, evidenceStatus: assessment.statusFunction))
    }

    enum Signing: String, CaseIterable, CustomTestStringConvertible {
        case unsigned, trusted, untrusted, flippedByte
        var testDescription: String { rawValue }
    }

    @Test("a forged asserted record fails the release gate; signed by a trusted key it passes; by an untrusted key or with a changed byte it fails, named",
          arguments: Signing.allCases)
    func gate(signing: Signing) throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        let record = try typedIn(dir, store: store)
        let trusted = SigningKey(), stranger = SigningKey()
        switch signing {
        case .unsigned: break
        case .trusted: try store.append(record.signatureRecord(key: trusted, signer: "red-team", producer: testProducer))
        case .untrusted: try store.append(record.signatureRecord(key: stranger, signer: "red-team", producer: testProducer))
        case .flippedByte:
            // A signature record with one byte of the signature changed, appended through
            // the store as anyone who can write it could.
            var forged = try record.signatureRecord(key: trusted, signer: "red-team", producer: testProducer)
            var bytes = Array(Data(base64Encoded: forged.signature?.sig ?? "") ?? Data())
            bytes[10] ^= 0x01
            forged.signature?.sig = Data(bytes).base64EncodedString()
            try store.append(forged)
        }
        let report = try check(makeCase(dir, record: String(record.id.prefix(12)), signers: [("red-team", trusted.publicKey)]), store: store)
        let rules = Set(report.findings.filter { $0.severity == .error }.map(\.rule))
        switch signing {
        case .trusted:
            #expect(!report.failed, "\(report.findings)")
            #expect(report.rootStatus == .supported)
        case .unsigned:
            #expect(report.failed && rules.contains(Rules.evidenceAsserted.id) && !rules.contains(Rules.evidenceSignature.id))
        case .untrusted, .flippedByte:
            #expect(report.failed && rules.contains(Rules.evidenceAsserted.id) && rules.contains(Rules.evidenceSignature.id))
            let finding = try #require(report.findings.first { $0.rule == Rules.evidenceSignature.id })
            let key = signing == .untrusted ? stranger.publicKey : trusted.publicKey
            #expect(finding.message.contains(String(record.id.prefix(12))) && finding.message.contains(key.description), "\(finding.message)")
            #expect(finding.message.contains(signing == .untrusted ? "does not trust" : "is invalid"))
        }
    }

    @Test("a case with no signers listed trusts no signature")
    func noSigners() throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        let record = try typedIn(dir, store: store)
        try store.append(record.signatureRecord(key: SigningKey(), signer: "red-team", producer: testProducer))
        let report = try check(makeCase(dir, record: String(record.id.prefix(12)), signers: []), store: store)
        #expect(report.failed && report.findings.contains { $0.rule == Rules.evidenceSignature.id })
    }

    @Test("a signer's key that does not parse is a located finding", arguments: ["ed25519:short", "not-a-key"])
    func badKey(text: String) throws {
        let dir = try Scratch()
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        let record = try typedIn(dir, store: store)
        var path = try makeCase(dir, record: String(record.id.prefix(12)), signers: [("x", SigningKey().publicKey)])
        let text0 = try String(contentsOfFile: path, encoding: .utf8)
        let replaced = text0.replacingOccurrences(of: #"key: "ed25519:[^"]*""#, with: "key: \"\(text)\"", options: .regularExpression)
        path = try dir.write("case.yaml", replaced)
        let report = try check(path, store: store)
        let finding = try #require(report.findings.first { $0.rule == Rules.invalidValue.id })
        #expect(finding.location?.line == 8 && finding.message.contains("signer 'x'"))
    }
}
