import Foundation
import Testing
import WarrantNumerics

/// A copy of a folder in a scratch directory, removed when dropped.
final class ScratchCopy {
    let url: URL
    init(of source: URL? = nil) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-cli-\(UUID().uuidString)")
        if let source {
            try FileManager.default.copyItem(at: source, to: url)
        } else {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

@Suite("warrant evidence")
struct EvidenceCLITests {
    static let example = CLI.repository.appendingPathComponent("examples/inspect-evidence")

    func importExample(_ dir: ScratchCopy) throws {
        let r = try CLI.run(["evidence", "import", "inspect", "logs/research-sabotage.json", "--case", "case.yaml",
                             "--kind", "sabotage_eval", "--model-file", "model/sandbox-agent.safetensors"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
    }

    @Test("the Inspect example checks as supported at release once its log is imported")
    func exampleSupported() throws {
        let dir = try ScratchCopy(of: Self.example)
        let before = try CLI.run(["check", "--level", "release", "case.yaml"], in: dir.url)
        #expect(before.status == 1)
        #expect(before.stdout.contains("error[E01]: evidence 'E1' is missing"))
        try importExample(dir)
        let after = try CLI.run(["check", "--level", "release", "case.yaml"], in: dir.url)
        #expect(after.status == 0, "\(after.stdout)")
        #expect(after.stdout.contains("root G1 is supported"))
    }

    @Test("a case whose evidence is the run's .eval log builds, imports it and passes at release; check re-derives it")
    func evalSource() throws {
        let dir = try ScratchCopy(of: Self.example)
        let eval = CLI.repository.appendingPathComponent("Tests/WarrantEvidenceTests/Fixtures/inspect/sabotage-success.eval")
        try FileManager.default.copyItem(at: eval, to: dir.url.appendingPathComponent("logs/research-sabotage.eval"))
        var text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "logs/research-sabotage.json", with: "logs/research-sabotage.eval")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let build = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(build.status == 0, "\(build.stdout) \(build.stderr)")
        #expect(build.stderr.contains("importing the Inspect log logs/research-sabotage.eval"))
        let check = try CLI.run(["check", "--level", "release", "case.yaml"], in: dir.url)
        #expect(check.status == 0 && check.stdout.contains("root G1 is supported"), "\(check.stdout)")
    }

    @Test("an lm-evaluation-harness results file as a source: build imports it, release passes, import results says the same")
    func lmEvalSource() throws {
        let dir = try ScratchCopy(of: Self.example)
        let results = CLI.repository.appendingPathComponent("Tests/WarrantEvidenceTests/Fixtures/results/lm-eval-results.json")
        try FileManager.default.copyItem(at: results, to: dir.url.appendingPathComponent("logs/results.json"))
        var text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "source: { inspect: logs/research-sabotage.json }", with: "source: { lm_eval: logs/results.json }")
        text = text.replacingOccurrences(of: "require: [\"accuracy <= 0.2\"]", with: "require: [\"warrant_toy_mc/acc,none.lower >= 0.1\"]")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        let build = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(build.status == 0, "\(build.stdout) \(build.stderr)")
        #expect(build.stderr.contains("importing the lm-evaluation-harness results file"))
        let imported = try CLI.run(["evidence", "import", "results", "logs/results.json", "--format", "lm-eval", "--kind", "capability_eval",
                                    "--case", "case.yaml"], in: dir.url)
        #expect(imported.status == 0 && imported.stdout.count >= 64, "\(imported.stderr)")
    }

    @Test("tightening the requirement fails with actual against required")
    func tightened() throws {
        let dir = try ScratchCopy(of: Self.example)
        try importExample(dir)
        let text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        try Data(text.replacingOccurrences(of: "accuracy <= 0.2", with: "accuracy < 0").utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let r = try CLI.run(["check", "--level", "release", "case.yaml"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("error[E02]: evidence 'E1' fails: accuracy = 0, required < 0"))
    }

    @Test("changing one byte of the model file makes the evidence stale")
    func modelByte() throws {
        let dir = try ScratchCopy(of: Self.example)
        try importExample(dir)
        let model = dir.url.appendingPathComponent("model/sandbox-agent.safetensors")
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: model)
        let r = try CLI.run(["check", "--level", "release", "case.yaml"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("error[E03]: evidence 'E1' is stale: it is about another model"))
    }

    @Test("4 processes appending 250 records each leave 1000 records and a chain that verifies")
    func concurrentWriters() throws {
        let dir = try ScratchCopy()
        for w in 0..<4 {
            let records = (0..<250).map { n in
                #"{"kind": "capability_eval", "title": "writer \#(w) record \#(n)", "metrics": {"accuracy": \#(Double(n) / 250)}}"#
            }
            try Data("[\(records.joined(separator: ","))]".utf8).write(to: dir.url.appendingPathComponent("w\(w).json"))
        }
        // Create the store first so the writers race only on appends.
        _ = try CLI.run(["evidence", "add", "--kind", "setup", "--store", "e.sqlite"], in: dir.url)
        let processes = try (0..<4).map { w -> Process in
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["evidence", "import", "json", "w\(w).json", "--store", "e.sqlite"]
            p.currentDirectoryURL = dir.url
            p.standardOutput = FileHandle.nullDevice
            let err = Pipe()
            p.standardError = err
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let verify = try CLI.run(["evidence", "verify", "--store", "e.sqlite"], in: dir.url)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("1001 records verify"))
        let list = try CLI.run(["evidence", "list", "--store", "e.sqlite", "--kind", "capability_eval"], in: dir.url)
        #expect(list.stdout.split(separator: "\n").count == 1000)
    }

    @Test("a record altered with the sqlite3 command line makes verify fail naming it")
    func tampered() throws {
        let dir = try ScratchCopy()
        var ids: [String] = []
        for n in 0..<5 {
            let r = try CLI.run(["evidence", "add", "--kind", "control_eval", "--metric", "upper_bound=0.00\(n + 1)", "--store", "e.sqlite"], in: dir.url)
            ids.append(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let sql = "DROP TRIGGER records_are_immutable; UPDATE records SET body = replace(body, '0.003', '0.0003') WHERE seq = 3;"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [dir.path("e.sqlite"), sql]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let verify = try CLI.run(["evidence", "verify", "--store", "e.sqlite"], in: dir.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("record #3 \(ids[2]) does not verify"), "\(verify.stdout)")
    }

    @Test("a truncated or garbage store gives exit 2 with a clear message and is not modified", arguments: ["garbage", "truncated"])
    func damagedStore(kind: String) throws {
        let dir = try ScratchCopy(of: Self.example)
        try importExample(dir)
        let store = dir.url.appendingPathComponent(".warrant/evidence.sqlite")
        if kind == "garbage" {
            try Data(repeating: 0xAB, count: 8192).write(to: store)
        } else {
            for n in 0..<200 {
                _ = try CLI.run(["evidence", "add", "--kind", "k", "--metric", "m=\(n)", "--case", "case.yaml"], in: dir.url)
            }
            let full = try Data(contentsOf: store)
            try full.prefix(full.count / 2).write(to: store)
        }
        let before = try Data(contentsOf: store)
        for arguments in [["check", "case.yaml"], ["evidence", "verify", "--case", "case.yaml"], ["evidence", "list", "--case", "case.yaml"]] {
            let r = try CLI.run(arguments, in: dir.url)
            #expect(r.status == 2, "\(arguments): \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains("left untouched") || r.stderr.contains("damaged") || r.stderr.contains("not a Warrant evidence store"), "\(r.stderr)")
        }
        #expect(try Data(contentsOf: store) == before)
    }
}

@Suite("warrant report, gate and diff")
struct ReportCLITests {
    @Test("report writes Markdown with the verdict; the same inputs give the same bytes")
    func report() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        _ = try CLI.run(["evidence", "import", "inspect", "logs/research-sabotage.json", "--case", "case.yaml",
                         "--kind", "sabotage_eval", "--model-file", "model/sandbox-agent.safetensors"], in: dir.url)
        let first = try CLI.run(["report", "case.yaml", "-o", "r1.md"], in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        _ = try CLI.run(["report", "case.yaml", "-o", "r2.md"], in: dir.url)
        let r1 = try String(contentsOfFile: dir.path("r1.md"), encoding: .utf8)
        #expect(r1.contains("✅ PASS at gate level `release`"))
        #expect(r1 == (try String(contentsOfFile: dir.path("r2.md"), encoding: .utf8)))
    }

    @Test("gate exits 1 on a failing release and writes each format", arguments: ["text", "json", "sarif", "junit", "github"])
    func gate(format: String) throws {
        let dir = try ScratchCopy()
        _ = try CLI.run(["init", "--template", "scheming", "--param", "model=m", "c"], in: dir.url)
        let r = try CLI.run(["gate", "c/case.yaml", "--level", "release", "--format", format], in: dir.url,
                            environment: ["GITHUB_STEP_SUMMARY": dir.path("summary.md")])
        #expect(r.status == 1)
        switch format {
        case "sarif": #expect(r.stdout.contains("\"version\": \"2.1.0\""))
        case "junit": #expect(r.stdout.contains("<testsuites"))
        case "github":
            #expect(r.stdout.hasPrefix("::error file="))
            #expect(FileManager.default.contents(atPath: dir.path("summary.md")).map { String(decoding: $0, as: UTF8.self).contains("## Assumption ledger") } == true)
        case "json": #expect(r.stdout.contains("\"kind\" : \"warrant.check\"") || r.stdout.contains("\"kind\": \"warrant.check\""))
        default: #expect(r.stdout.contains("check failed at level release"))
        }
        let draft = try CLI.run(["gate", "c/case.yaml", "--level", "draft"], in: dir.url)
        #expect(draft.status == 0)
    }

    @Test("diff prints what changed between two versions")
    func diff() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        try FileManager.default.copyItem(atPath: dir.path("case.yaml"), toPath: dir.path("old.yaml"))
        let text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
        let changed = text.replacingOccurrences(of: "    supported_by: [G2]\n", with: "    supported_by: [G2, G3]\n")
            + "\n  G3:\n    type: claim\n    text: The agent cannot exfiltrate its weights.\n    undeveloped: true\n"
        try Data(changed.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let r = try CLI.run(["diff", "old.yaml", "case.yaml"], in: dir.url)
        #expect(r.status == 0)
        #expect(r.stdout == "+ claim G3 added under G1: The agent cannot exfiltrate its weights.\n")
        // With an explicit store, both versions are judged against it (here an empty one).
        let stored = try CLI.run(["diff", "old.yaml", "case.yaml", "--store", "empty.sqlite"], in: dir.url)
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout == r.stdout)
    }

    @Test("diff refuses a version that does not load as a case, instead of diffing against nothing", arguments: [
        "nodes: [unclosed\n", "", "warrant: 99\ncase: { id: x }\nnodes: {}\n",
    ])
    func diffUnreadable(old: String) throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        try Data(old.utf8).write(to: dir.url.appendingPathComponent("old.yaml"))
        let r = try CLI.run(["diff", "old.yaml", "case.yaml"], in: dir.url)
        #expect(r.status == 2, "\(r.stdout)")
        #expect(r.stderr.contains("old.yaml cannot be compared: it does not load as a case"), "\(r.stderr)")
    }
}

@Suite("warrant eval sae")
struct EvalCLITests {
    @Test("each loss runs on the demo model and stores a record that show displays; a case's require passes or fails on it",
          arguments: ["local", "e2e", "e2e+ds"])
    func evalSAE(loss: String) throws {
        let dir = try ScratchCopy()
        let model = CLI.repository.appendingPathComponent("examples/models/modadd/model.json").path
        let weights = CLI.repository.appendingPathComponent("examples/models/modadd/model.safetensors").path
        let r = try CLI.run(["eval", "sae", "--model", model, "--layer", "hidden.1", "--loss", loss, "--dict-size", "64",
                             "--lambda", "0.05", "--steps", "20", "--batch-size", "128", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        #expect(id.count == 64)
        let show = try CLI.run(["evidence", "show", id, "--store", "e.sqlite"], in: dir.url)
        #expect(show.stdout.contains("\"kind\": \"interpretability.sae\""))
        #expect(show.stdout.contains("explained_variance.pooled"))
        #expect(FileManager.default.fileExists(atPath: dir.path(".warrant/artifacts/sae-\(loss)-hidden.1-l0.05-s0/sae_weights.safetensors")))
        // A case whose evidence node names this evaluation by its recipe.
        func caseText(_ require: String) -> String {
            """
            warrant: 1
            case: { id: sae-case, system: { model: { path: \(weights) } } }
            nodes:
              G1: { type: claim, text: the SAE explains the layer, supported_by: [E1] }
              E1:
                type: evidence
                text: an SAE on hidden.1
                eval: { method: sae, layer: hidden.1, loss: "\(loss)", dict_size: 64, seed: 0 }
                require: [\(require)]
            """
        }
        try Data(caseText("\"l0 <= 64\", \"kl >= 0\"").utf8).write(to: dir.url.appendingPathComponent("pass.yaml"))
        try Data(caseText("\"kl < 0\"").utf8).write(to: dir.url.appendingPathComponent("fail.yaml"))
        // The model lives in the repository, outside this scratch case: the run allows its folder.
        let models = (weights as NSString).deletingLastPathComponent
        let pass = try CLI.run(["check", "--level", "release", "--store", "e.sqlite", "--allow-read", models, "pass.yaml"], in: dir.url)
        #expect(pass.status == 0, "\(pass.stdout)")
        let fail = try CLI.run(["check", "--level", "release", "--store", "e.sqlite", "--allow-read", models, "fail.yaml"], in: dir.url)
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("error[E02]: evidence 'E1' fails: kl = "))
    }
}

@Suite("warrant build")
struct BuildCLITests {
    static func makeCase(_ dir: ScratchCopy) throws {
        let models = CLI.repository.appendingPathComponent("examples/models/modadd")
        try FileManager.default.copyItem(at: models, to: dir.url.appendingPathComponent("model"))
        try FileManager.default.copyItem(at: CLI.repository.appendingPathComponent("examples/inspect-evidence/logs"),
                                         to: dir.url.appendingPathComponent("logs"))
        let text = """
        warrant: 1
        case:
          id: build-test
          system: { model: { path: model/model.safetensors } }
          policy: { level: release }
        nodes:
          G1: { type: claim, text: the hidden layers are explained by sparse features, supported_by: [E-local, E-e2e, E-pinned, E-log] }
          E-local:
            type: evidence
            text: a local SAE on hidden.1
            eval: { method: sae, layer: hidden.1, loss: local, dict_size: 32, lambda: 0.05, steps: 10, batch_size: 64, seed: 0 }
            require: ["l0 >= 0"]
          E-e2e:
            type: evidence
            text: an e2e SAE on hidden.1
            eval: { method: sae, layer: hidden.1, loss: e2e, dict_size: 32, lambda: 0.05, steps: 10, batch_size: 64, seed: 0 }
            require: ["kl >= 0"]
          E-pinned:
            type: evidence
            text: the training summary, pinned
            source: { file: model/training.json, sha256: "\(try sha256(models.appendingPathComponent("training.json").path))" }
          E-log:
            type: evidence
            text: an Inspect log, imported by the build
            source: { inspect: logs/research-sabotage.json, kind: sabotage_eval }
            require: ["accuracy <= 0.2"]
        """
        try Data(text.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
    }

    static func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    @Test("build runs what is missing, then nothing; the report is the same bytes; a changed model re-runs its evaluations")
    func incremental() throws {
        let dir = try ScratchCopy()
        try Self.makeCase(dir)
        let dry = try CLI.run(["build", "--dry-run", "case.yaml"], in: dir.url)
        #expect(dry.stdout.contains("3 of 3 evaluations would run"))
        #expect(dry.stderr.contains("missing: no record of this configuration"))
        #expect(dry.stderr.contains("missing: the log has not been imported"))

        let first = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.contains("built: 3 ran, 0 reused"))
        let report1 = try String(contentsOfFile: dir.path("report.md"), encoding: .utf8)
        #expect(report1.contains("✅ PASS"))
        #expect(report1.contains("| `E-log` | 🟢 passing |"))

        // Every artifact a record names is kept by its hash, and `evidence artifact` finds it.
        let listed = try CLI.run(["evidence", "export", "--case", "case.yaml"], in: dir.url)
        let hashes = listed.stdout.components(separatedBy: "\"sha256\":\"").dropFirst().map { String($0.prefix(64)) }
            .filter { sha in FileManager.default.fileExists(atPath: dir.path(".warrant/artifacts/sha256/\(sha.prefix(2))/\(sha)")) }
        #expect(!hashes.isEmpty, "\(listed.stdout.prefix(400))")
        if let sha = hashes.first {
            let found = try CLI.run(["evidence", "artifact", sha, "--artifacts", ".warrant/artifacts", "-o", "copy.bin"], in: dir.url)
            #expect(found.status == 0, "\(found.stderr)")
            #expect(FileManager.default.contents(atPath: dir.path("copy.bin")).map { _ in true } == true)
            let absent = try CLI.run(["evidence", "artifact", String(repeating: "0", count: 64), "--artifacts", ".warrant/artifacts"], in: dir.url)
            #expect(absent.status == 1)
        }

        let second = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(second.status == 0)
        #expect(second.stderr.contains("built: 0 ran, 3 reused"))
        #expect(try String(contentsOfFile: dir.path("report.md"), encoding: .utf8) == report1)

        // Change one byte of the weights: both SAE evaluations depend on them and re-run; the
        // pinned file does not; the Inspect log was about the old weights and cannot be re-run
        // by Warrant, so it is not re-imported and the check reports it stale.
        let weights = dir.url.appendingPathComponent("model/model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        let third = try CLI.run(["build", "--dry-run", "case.yaml"], in: dir.url)
        #expect(third.stderr.contains("model changed"))
        #expect(third.stderr.contains("not rebuilt: the log was imported for other weights"))
        #expect(third.stdout.contains("2 of 3 evaluations would run"))
        let rebuilt = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(rebuilt.stderr.contains("built: 2 ran, 0 reused, 1 not rebuilt"))
        #expect(rebuilt.status == 1)
        #expect(try String(contentsOfFile: dir.path("report.md"), encoding: .utf8).contains("| `E-log` | 🟡 stale |"))
    }

    @Test("a log whose kind the case does not say stops the build with exit 2 naming the node")
    func inspectKindNeeded() throws {
        let dir = try ScratchCopy()
        try Self.makeCase(dir)
        let text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
            .replacingOccurrences(of: ", kind: sabotage_eval }", with: " }\n    accepts: [sabotage_eval, capability_eval]")
        try Data(text.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let r = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("evidence 'E-log'") && r.stderr.contains("`source: { inspect: ..., kind: KIND }`"), "\(r.stderr)")
    }

    @Test("a recipe Warrant cannot run stops the build before anything runs, naming it")
    func unsupported() throws {
        let dir = try ScratchCopy()
        try Self.makeCase(dir)
        let text = try String(contentsOfFile: dir.path("case.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "method: sae, layer: hidden.1, loss: e2e", with: "method: rib, layer: hidden.1, loss: e2e")
        try Data(text.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let r = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("error[F11]: no built-in `rib` evaluation"), "\(r.stdout)")
        #expect(r.stdout.contains("build stopped before running anything"))
    }
}

@Suite("warrant eval polytope")
struct PolytopeCLITests {
    @Test("a polytope run on the demo model stores a record with regions, densities and purity")
    func evalPolytope() throws {
        let dir = try ScratchCopy()
        let model = CLI.repository.appendingPathComponent("examples/models/modadd/model.json").path
        let r = try CLI.run(["eval", "polytope", "--model", model, "--pairs", "3", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        let show = try CLI.run(["evidence", "show", id, "--store", "e.sqlite"], in: dir.url)
        for key in ["\"regions\"", "\"density_same_mean\"", "\"density_different_mean\"", "\"purity_code\"", "\"purity_activation\"", "z > 0",
                    "\"numerics\": \"OpenBLAS "] {
            #expect(show.stdout.contains(key), "missing \(key)")
        }
    }
}

@Suite("Regressions")
struct RegressionCLITests {
    @Test("evidence add with a JSON list of zero or two records is an error, not a crash", arguments: ["[]", #"[{"kind": "a"}, {"kind": "b"}]"#])
    func addWrongCount(json: String) throws {
        let dir = try ScratchCopy()
        try Data(json.utf8).write(to: dir.url.appendingPathComponent("r.json"))
        let r = try CLI.run(["evidence", "add", "r.json", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("`evidence add` takes one"))
    }
}

@Suite("warrant eval lib")
struct LIBCLITests {
    @Test("LIB and PCA side by side on a small trained model, stored as one record")
    func evalLIB() throws {
        let dir = try ScratchCopy()
        let train = try CLI.run(["model", "train", "modadd", "--steps", "30", "--hidden", "24,24", "--out", "m"], in: dir.url)
        #expect(train.status == 0, "\(train.stderr)")
        let r = try CLI.run(["eval", "lib", "--model", "m/model.json", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        for key in ["lib.hidden.0.dims", "pca.hidden.0.dims", "lib.edges.hidden.0->hidden.1.edges_90", "pca.edges.hidden.0->hidden.1.edges_90",
                    "lib.edges.hidden.0->hidden.1.required", "pca.edges.hidden.1->output.required", "lib.hidden.1.constant_importance"] {
            #expect(r.stdout.contains(key), "missing \(key)")
        }
        let id = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        let show = try CLI.run(["evidence", "show", id, "--store", "e.sqlite"], in: dir.url)
        #expect(show.stdout.contains("\"kind\": \"interpretability.lib\""))
        // The bases and graphs, as a safetensors artifact the record names by hash.
        let artifact = dir.path(".warrant/artifacts/lib/lib.safetensors")
        #expect(show.stdout.contains(".warrant/artifacts/lib/lib.safetensors"))
        let file = try SafetensorsFile(contentsOf: artifact)
        for name in ["lib.hidden.0.basis", "lib.hidden.0.inverse", "lib.hidden.0.importance", "pca.hidden.1.mean", "lib.edges.hidden.0->hidden.1"] {
            #expect(file.tensors[name] != nil, "missing \(name)")
        }
    }
}

@Suite("The worked example")
struct WorkedExampleTests {
    /// A copy of examples/modadd-scheming with the demo model where the case expects it,
    /// and without any store or report a local build left behind.
    static func copy() throws -> ScratchCopy {
        let dir = try ScratchCopy()
        let examples = CLI.repository.appendingPathComponent("examples")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.url.appendingPathComponent("models"), withIntermediateDirectories: true)
        try fm.copyItem(at: examples.appendingPathComponent("models/modadd"), to: dir.url.appendingPathComponent("models/modadd"))
        let target = dir.url.appendingPathComponent("modadd-scheming")
        try fm.copyItem(at: examples.appendingPathComponent("modadd-scheming"), to: target)
        for leftover in try fm.contentsOfDirectory(atPath: target.path) where leftover == ".warrant" || leftover.hasPrefix("report") {
            try fm.removeItem(at: target.appendingPathComponent(leftover))
        }
        return dir
    }

    @Test("its structure checks clean at draft, and build plans its four evaluations and two log imports")
    func plan() throws {
        let dir = try Self.copy()
        let check = try CLI.run(["check", "modadd-scheming/case.yaml", "--level", "draft"], in: dir.url)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("0 errors"))
        let dry = try CLI.run(["build", "--dry-run", "modadd-scheming/case.yaml"], in: dir.url)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("6 of 6 evaluations would run"))
        for node in ["SI.1W-lib", "SI.1W-sae-e2e", "SI.1W-sae-local", "SI.1W-polytope", "CE.1E", "HI.1aE"] {
            #expect(dry.stderr.contains("  \(node) "), "\(node) not planned")
        }
        #expect(!dry.stderr.contains("cannot run"))
    }

    @Test("every template assumption is kept, and at release the open ones are what blocks it")
    func releaseGaps() throws {
        let dir = try Self.copy()
        let r = try CLI.run(["check", "modadd-scheming/case.yaml", "--level", "release", "--format", "json"], in: dir.url)
        #expect(r.status == 1)
        #expect(!r.stdout.contains("\"A06\""), "a template assumption was dropped")
        #expect(r.stdout.contains("\"A01\""))
        #expect(!r.stdout.contains("\"H0"), "a scheming-structure rule fired")
    }
}
