import Foundation
import Testing

/// The flow a team uses: generate a key, sign the red-team record, gate with --attest,
/// verify the attestation elsewhere.
@Suite("warrant key, evidence --sign, gate --attest, attestation verify")
struct SigningCLITests {
    /// The Inspect example with its typed-in evidence node replaced by a red-team record,
    /// and `red-team.pub` listed as a trusted signer.
    func makeCase(_ dir: ScratchCopy) throws -> String {
        let keys = try CLI.run(["key", "generate", "--out", "red-team"], in: dir.url)
        #expect(keys.status == 0, "\(keys.stderr)")
        let add = try CLI.run(["evidence", "add", "--case", "case.yaml", "--kind", "sabotage_eval", "--metric", "accuracy=0.1",
                               "--model-file", "model/sandbox-agent.safetensors", "--sign", "red-team.key", "--signer", "red-team"], in: dir.url)
        #expect(add.status == 0, "\(add.stderr)")
        let ids = add.stdout.split(separator: "\n").map(String.init)
        #expect(ids.count == 2, "the record and its signature: \(add.stdout)")
        let record = ids.first ?? ""
        var text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "  policy: { level: release }",
                                         with: "  policy:\n    level: release\n    signers:\n      - { name: red-team, key_file: red-team.pub }")
        text = text.replacingOccurrences(of: "    source: { inspect: logs/research-sabotage.json }", with: "    record: \(record.prefix(16))")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        return record
    }

    @Test("key generate writes a private key of mode 600 and prints the public key")
    func keyGenerate() throws {
        let dir = try ScratchCopy()
        let r = try CLI.run(["key", "generate", "--out", "k"], in: dir.url)
        #expect(r.status == 0)
        #expect(r.stdout.contains("public key: ed25519:"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path("k.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try CLI.run(["key", "generate", "--out", "k"], in: dir.url).status == 2, "an existing key is never replaced")
    }

    @Test("a signed red-team record passes the release gate; the attestation verifies, and fails once a case file changes")
    func attestedGate() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        let record = try makeCase(dir)
        let show = try CLI.run(["evidence", "show", "--case", "case.yaml", String(record.prefix(12))], in: dir.url)
        #expect(show.stderr.contains("signed by red-team") && show.stderr.contains("valid"), "\(show.stderr)")
        let gate = try CLI.run(["gate", "case.yaml", "--attest", "verdict.json", "--key", "red-team.key"], in: dir.url)
        #expect(gate.status == 0, "\(gate.stdout) \(gate.stderr)")
        let report = try CLI.run(["report", "case.yaml"], in: dir.url)
        #expect(report.stdout.contains("signed by red-team"))

        let verify = try CLI.run(["attestation", "verify", "verdict.json", "--key", "red-team.pub"], in: dir.url)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ok      case.yaml") && verify.stdout.contains("verdict attested: pass"))

        let other = try CLI.run(["key", "generate", "--out", "other"], in: dir.url)
        #expect(other.status == 0)
        let wrongKey = try CLI.run(["attestation", "verify", "verdict.json", "--key", "other.pub"], in: dir.url)
        #expect(wrongKey.status == 1 && wrongKey.stdout.contains("INVALID"))

        try Data("# a change after attesting\n".utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")), options: .atomic)
        let changed = try CLI.run(["attestation", "verify", "verdict.json", "--key", "red-team.pub"], in: dir.url)
        #expect(changed.status == 1 && changed.stdout.contains("CHANGED case.yaml"), "\(changed.stdout)")
    }

    @Test("evidence sign signs a record already stored (regression: it opened the store read-only)")
    func signLater() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        _ = try CLI.run(["key", "generate", "--out", "red-team"], in: dir.url)
        let add = try CLI.run(["evidence", "add", "--case", "case.yaml", "--kind", "red_team_report", "--metric", "upper_bound=0.003"], in: dir.url)
        let id = try #require(add.stdout.split(separator: "\n").first.map(String.init))
        let sign = try CLI.run(["evidence", "sign", String(id.prefix(12)), "--case", "case.yaml", "--key", "red-team.key", "--signer", "red-team"], in: dir.url)
        #expect(sign.status == 0, "\(sign.stderr)")
        let show = try CLI.run(["evidence", "show", "--case", "case.yaml", String(id.prefix(12))], in: dir.url)
        #expect(show.stderr.contains("signed by red-team"), "\(show.stderr)")
        let missing = try CLI.run(["evidence", "sign", String(id.prefix(12)), "--store", "none.sqlite", "--key", "red-team.key"], in: dir.url)
        #expect(missing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")), "signing does not create a store")
    }

    @Test("without the signer listed, the same record fails at release with E10 naming the key")
    func untrusted() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        _ = try makeCase(dir)
        let other = try CLI.run(["key", "generate", "--out", "other"], in: dir.url)
        #expect(other.status == 0)
        var text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "key_file: red-team.pub", with: "key_file: other.pub")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let gate = try CLI.run(["gate", "case.yaml"], in: dir.url)
        #expect(gate.status == 1)
        #expect(gate.stdout.contains("error[E10]") && gate.stdout.contains("does not trust"), "\(gate.stdout)")
    }

    @Test("a private key others can read is refused, and nothing is written", arguments: [
        ["gate", "case.yaml", "--attest", "verdict.json", "--key", "loose.key"],
        ["evidence", "add", "--case", "case.yaml", "--kind", "x", "--sign", "loose.key"],
    ])
    func looseKey(arguments: [String]) throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        #expect(try CLI.run(["key", "generate", "--out", "loose"], in: dir.url).status == 0)
        chmod(dir.path("loose.key"), 0o644)
        let r = try CLI.run(arguments, in: dir.url)
        #expect(r.status == 2 && r.stderr.contains("readable by others"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("verdict.json")))
        #expect(!FileManager.default.fileExists(atPath: dir.path(".warrant/evidence.sqlite")))
    }
}
