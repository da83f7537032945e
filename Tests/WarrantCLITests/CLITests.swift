import Foundation
import Testing
import WarrantNumerics

/// Runs the built `warrant` executable, as a user would.
struct WarrantRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = tests.deletingLastPathComponent().deletingLastPathComponent()

    /// The executable beside the test bundle (`swift test` builds it, since this
    /// test target depends on it).
    static var executable: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("warrant")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/warrant")
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> WarrantRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? repository
        var env = ProcessInfo.processInfo.environment
        // A store named for the whole session would redirect every test's evidence.
        env["WARRANT_STORE"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return WarrantRun(status: process.terminationStatus,
                          stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite("warrant command line")
struct CLITests {
    @Test("the example passes with exit 0")
    func examplePasses() throws {
        let r = try CLI.run(["check", "examples/scheming-sketch/case.yaml"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("check passed at level draft"))
    }

    @Test("release fails with exit 1 and a located finding")
    func releaseFails() throws {
        let r = try CLI.run(["check", "--level", "release", "examples/scheming-sketch/case.yaml"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("examples/scheming-sketch/case.yaml:21:3: error[R01]: the root claim 'G-top' is open"))
    }

    @Test("a finding is printed like a compiler's: location, rule, source line, caret, hint")
    func compilerStyle() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("warrant: 1\ncase: { id: x }\nnodes:\n  G1: { type: claim, text: a, suported_by: [E1] }\n  E1: { type: evidence, text: b }\n".utf8)
            .write(to: dir.appendingPathComponent("c.yaml"))
        let r = try CLI.run(["check", "--no-color", "c.yaml"], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout.contains("""
        c.yaml:4:31: error[F03]: unknown key 'suported_by' in node 'G1'; did you mean 'supported_by'?
            4 |   G1: { type: claim, text: a, suported_by: [E1] }
              |                               ^
              = hint: rename it to 'supported_by'
        """), "\(r.stdout)")
    }

    @Test("--strict fails on warnings")
    func strict() throws {
        let r = try CLI.run(["check", "--strict", "examples/scheming-sketch/case.yaml"])
        #expect(r.status == 1)
    }

    @Test("JSON output is well-formed and carries findings and statuses")
    func json() throws {
        let r = try CLI.run(["check", "--format", "json", "examples/scheming-sketch/case.yaml"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["kind"] as? String == "warrant.check")
        let results = object?["results"] as? [[String: Any]]
        #expect(results?.first?["root"] as? String == "G-top")
        #expect((results?.first?["nodes"] as? [Any])?.count == 16)
        let again = try CLI.run(["check", "--format", "json", "examples/scheming-sketch/case.yaml"])
        #expect(again.stdout == r.stdout, "the same inputs give the same bytes")
    }

    @Test("tool failures exit 2", arguments: [
        ["check", "no/such/file.yaml"], ["check"], ["check", "--level", "final", "examples/scheming-sketch/case.yaml"],
        ["frobnicate"], ["explain", "S99"],
    ])
    func exitTwo(arguments: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.stdout) \(r.stderr)")
        #expect(!r.stderr.isEmpty)
    }

    @Test("an argument error prints its message and the usage once, and exits 2", arguments: [
        ["check"], ["check", "--bogus", "x.yaml"], ["evidence", "show"], ["eval", "sae", "--model", "m.json", "--loss", "l2"],
    ])
    func usageOnce(arguments: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "Usage: ").count == 2, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "))
    }

    @Test("--help works on every command", arguments: [[], ["check"], ["rules"], ["explain"]])
    func help(command: [String]) throws {
        let r = try CLI.run(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE"))
    }

    @Test("rules lists every rule and explain documents one")
    func rulesAndExplain() throws {
        let rules = try CLI.run(["rules"])
        #expect(rules.status == 0)
        #expect(rules.stdout.contains("S07  EEE  support-cycle"))
        let explain = try CLI.run(["explain", "support-cycle"])
        #expect(explain.status == 0)
        #expect(explain.stdout.hasPrefix("S07 support-cycle (structure)"))
        #expect(explain.stdout.contains("circular reasoning"))
    }

    @Test("gsn2x files are read as they are")
    func gsn2x() throws {
        let corpus = CLI.repository.appendingPathComponent("Tests/WarrantCoreTests/Fixtures/gsn2x")
        let pass = try CLI.run(["check", "examples/example.gsn.yaml"], in: corpus)
        #expect(pass.status == 0)
        let fail = try CLI.run(["check", "--input-format", "gsn2x", "examples/template/template.gsn.yaml", "tests/inval4_instance.gsn.yaml"], in: corpus)
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("error[S20]"))
    }
}

@Suite("warrant init, templates, assumptions")
struct TemplateCLITests {
    @Test("init then check: draft passes, release fails listing the open blocking assumptions")
    func initAndCheck() throws {
        let dir = try ScratchCopy()
        let initRun = try CLI.run(["init", "--template", "scheming", "--param", "model=m", "--param", "deployment=d", "case"], in: dir.url)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(initRun.stdout.contains("Left to fill: {outcome}"))
        // As the README's walkthrough runs it: a new case is a draft at its own policy level.
        let draft = try CLI.run(["check", "case/case.yaml"], in: dir.url)
        #expect(draft.status == 0, "\(draft.stdout)")
        #expect(draft.stdout.contains("check passed at level draft"), "\(draft.stdout)")
        let release = try CLI.run(["check", "case/case.yaml", "--level", "release"], in: dir.url)
        #expect(release.status == 1)
        #expect(release.stdout.contains("error[A01]: blocking assumption 'CE-6' is open"))
        let text = try String(contentsOfFile: dir.path("case/case.yaml"), encoding: .utf8)
        #expect(text.contains("# yaml-language-server"), "comments are kept")
        #expect(text.contains("Deploying m in d"))
    }

    @Test("init refuses to overwrite, and rejects unknown parameters", arguments: [
        (["--param", "modle=m"], "did you mean 'model'?"), (["--param", "model"], "name=value"), ([String](), "already exist"),
    ])
    func initRefusals(extra: [String], message: String) throws {
        let dir = try ScratchCopy()
        if message == "already exist" {
            _ = try CLI.run(["init", "--template", "scheming", "case"], in: dir.url)
        }
        let r = try CLI.run(["init", "--template", "scheming"] + extra + ["case"], in: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("templates lists one line each; assumptions prints the ledger")
    func listings() throws {
        let t = try CLI.run(["templates"])
        #expect(t.status == 0)
        #expect(t.stdout.contains("scheming/harm-control"))
        // Modules are listed as modules, and init names the set to use instead.
        #expect(t.stdout.contains("(module; in a case: `uses: [{ template: scheming/harm-control"), "\(t.stdout)")
        let scratch = try ScratchCopy()
        let module = try CLI.run(["init", "--template", "scheming/harm-control", "x"], in: scratch.url)
        #expect(module.status == 2)
        #expect(module.stderr.contains("is a module of the template set 'scheming'"), "\(module.stderr)")
        let dir = try ScratchCopy()
        _ = try CLI.run(["init", "--template", "scheming", "--param", "model=m", "c"], in: dir.url)
        let a = try CLI.run(["assumptions", "c/case.yaml"], in: dir.url)
        #expect(a.status == 0)
        #expect(a.stdout.contains("39 assumptions: 39 open"))
        let json = try CLI.run(["assumptions", "--format", "json", "c/case.yaml"], in: dir.url)
        let lines = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(lines?.count == 39)
        #expect(lines?.first(where: { $0["id"] as? String == "CE-6" })?["research"] as? String == "open_problem")
    }
}

@Suite("warrant model")
struct ModelCLITests {
    @Test("training is deterministic through the command line, and activations are written as .npy")
    func trainTwice() throws {
        let dir = try ScratchCopy()
        for out in ["a", "b"] {
            let r = try CLI.run(["model", "train", "modadd", "--steps", "10", "--hidden", "32", "--out", out], in: dir.url)
            #expect(r.status == 0, "\(r.stderr)")
        }
        for file in ["model.safetensors", "model.json", "training.json"] {
            #expect(FileManager.default.contents(atPath: dir.path("a/\(file)")) == FileManager.default.contents(atPath: dir.path("b/\(file)")), "\(file)")
        }
        let acts = try CLI.run(["model", "activations", "a/model.json", "--layer", "hidden.0", "--out", "h.npy"], in: dir.url)
        #expect(acts.status == 0)
        #expect(acts.stdout.contains("12769 × 32"))
        let bad = try CLI.run(["model", "activations", "a/model.json", "--layer", "hidden.7", "--out", "h.npy"], in: dir.url)
        #expect(bad.status == 2 && bad.stderr.contains("hidden.0.pre"))
    }
}

@Suite("warrant model on a Hugging Face GPT-2 folder")
struct TransformerModelCLITests {
    static let fixture = CLI.repository.appendingPathComponent("Tests/WarrantNumericsTests/Fixtures/gpt2/tied-gelu-new")

    /// The fixture's token ids as an int32 (or int64) .npy, sequences × context.
    func writeTokens(_ dir: ScratchCopy, dtype: TensorDType = .i32, replacing: (Int, Double)? = nil) throws {
        let json = try String(contentsOf: Self.fixture.appendingPathComponent("tokens.json"), encoding: .utf8)
        let ids = json.split(separator: "[")[1].split(separator: "]")[0].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        var values = ids
        if let (i, v) = replacing { values[i] = v }
        try NPYArray(shape: [3, 16], dtype: dtype, values: values).write(to: dir.path("tokens.npy"))
    }

    @Test("model info lists the TransformerLens hooks with widths, and which evaluations can run")
    func info() throws {
        let r = try CLI.run(["model", "info", Self.fixture.appendingPathComponent("model").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("GPT-2 (2 layers, width 32, 4 heads, MLP 128 gelu_new, vocabulary 97, context 16)"))
        #expect(r.stdout.contains("  blocks.1.mlp.hook_post") && r.stdout.contains("  logits"))
        #expect(r.stdout.contains("lib") && r.stdout.contains("no: the lib evaluation needs a ReLU MLP"))
    }

    @Test("model activations writes what transformers computes at the hook, from int32 or int64 token ids", arguments: [TensorDType.i32, .i64])
    func activations(dtype: TensorDType) throws {
        let dir = try ScratchCopy()
        try writeTokens(dir, dtype: dtype)
        let r = try CLI.run(["model", "activations", Self.fixture.appendingPathComponent("model").path, "--tokens", "tokens.npy",
                             "--layer", "blocks.1.hook_resid_pre", "--out", "x.npy"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("48 × 32 float32"))
        let written: Matrix<Float> = try NPYArray(contentsOf: dir.path("x.npy")).matrix()
        let expected: Matrix<Float> = try SafetensorsFile(contentsOf: Self.fixture.appendingPathComponent("expected.safetensors").path)
            .matrix("blocks.1.hook_resid_pre")
        let error = zip(written.storage, expected.storage).map { abs($0 - $1) }.max() ?? 1
        #expect(error < 1e-4)
    }

    @Test("eval sae trains each loss at a GPT-2 hook from token ids; the record is about the folder, and a case about the folder accepts it",
          arguments: ["local", "e2e", "e2e+ds"])
    func evalSAE(loss: String) throws {
        let dir = try ScratchCopy()
        try writeTokens(dir)
        let model = Self.fixture.appendingPathComponent("model").path
        let r = try CLI.run(["eval", "sae", "--model", model, "--tokens", "tokens.npy", "--layer", "blocks.0.hook_resid_post", "--loss", loss,
                             "--dict-size", "16", "--steps", "10", "--batch-size", "2", "--store", "e.sqlite"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        // 3 sequences of 16: 2 train, 1 held out; the residual stream after block 1 is downstream.
        #expect(r.stdout.contains("(16 held-out tokens"))
        #expect(r.stdout.contains("  kl ") && r.stdout.contains("  ce_increase "))
        #expect(r.stdout.contains("  downstream_mse.blocks.1.hook_resid_post "))
        let id = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        let show = try CLI.run(["evidence", "show", id, "--store", "e.sqlite"], in: dir.url)
        #expect(show.stdout.contains("\"name\": \"model\"") && show.stdout.contains("\"tokens\": \"tokens.npy\""), "\(show.stdout)")
        #expect(show.stdout.contains("over the 15 positions with a next token"))
        // The SAE it wrote evaluates at its own hook to the same numbers.
        let again = try CLI.run(["eval", "sae", "--model", model, "--tokens", "tokens.npy", "--no-store",
                                 "--evaluate", ".warrant/artifacts/sae-\(loss)-blocks.0.hook_resid_post-l0.1-s0"], in: dir.url)
        #expect(again.status == 0, "\(again.stderr)")
        let metrics = { (out: String) in out.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.contains("s)") && !$0.contains("SAE") } }
        #expect(metrics(again.stdout) == metrics(r.stdout))
        let caseText = """
            warrant: 1
            case: { id: gpt2-case, system: { model: { path: \(model) } } }
            nodes:
              G1: { type: claim, text: the residual stream is explained by sparse features, supported_by: [E1] }
              E1:
                type: evidence
                text: an SAE after block 0
                eval: { method: sae, layer: blocks.0.hook_resid_post, loss: "\(loss)", dict_size: 16, steps: 10, batch_size: 2 }
                require: ["l0 <= 16"]
            """
        try Data(caseText.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let check = try CLI.run(["check", "--level", "release", "--store", "e.sqlite", "--allow-read", model, "case.yaml"], in: dir.url)
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test("build runs an SAE recipe on a case about a GPT-2 folder, reuses it while model and recipe stay, sees another model when a file of the folder changes")
    func build() throws {
        let dir = try ScratchCopy()
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("model"), to: dir.url.appendingPathComponent("gpt2"))
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        try writeTokens(dir)
        try FileManager.default.moveItem(atPath: dir.path("tokens.npy"), toPath: dir.path("data/tokens.npy"))
        let caseText = """
            warrant: 1
            case: { id: gpt2-build, system: { model: { path: gpt2 } }, policy: { level: release } }
            nodes:
              G1: { type: claim, text: the residual stream is explained by sparse features, supported_by: [E1] }
              E1:
                type: evidence
                text: an e2e SAE before block 1
                eval: { method: sae, layer: blocks.1.hook_resid_pre, loss: e2e, dict_size: 16, steps: 10, batch_size: 2, tokens: data/tokens.npy }
                require: ["l0 <= 16", "kl >= 0"]
            """
        try Data(caseText.utf8).write(to: dir.url.appendingPathComponent("case.yaml"))
        let first = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.contains("built: 1 ran, 0 reused"))
        let second = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(second.status == 0 && second.stderr.contains("built: 0 ran, 1 reused"), "\(second.stderr)")
        // The fingerprint covers the folder's files: a changed config makes the record about another model.
        let config = dir.path("gpt2/config.json")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "{", with: "{\n  \"warrant_test\": 1,", options: [], range: text.range(of: "{")).write(toFile: config, atomically: true, encoding: .utf8)
        let third = try CLI.run(["build", "--dry-run", "case.yaml"], in: dir.url)
        #expect(third.stderr.contains("model changed"), "\(third.stderr)")
        // A tokens file outside the case's folder is not read.
        try Data(caseText.replacingOccurrences(of: "tokens: data/tokens.npy", with: "tokens: ../outside.npy").utf8)
            .write(to: dir.url.appendingPathComponent("case.yaml"))
        let outside = try CLI.run(["build", "case.yaml"], in: dir.url)
        #expect(outside.status != 0 && outside.stderr.contains("outside the case's folder"), "\(outside.stderr)")
    }

    @Test("model tokenize writes int32 sequences × context from text, with a BOS id if asked, and never over an input")
    func tokenize() throws {
        let dir = try ScratchCopy()
        let tokenizer = CLI.repository.appendingPathComponent("Tests/WarrantNumericsTests/Fixtures/tokenizer/tokenizer.json").path
        try Data(String(repeating: "The model will not cause catastrophic outcomes through scheming. ", count: 40).utf8)
            .write(to: dir.url.appendingPathComponent("corpus.txt"))
        let r = try CLI.run(["model", "tokenize", tokenizer, "--text", "corpus.txt", "--context", "16", "--out", "t.npy"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let array = try NPYArray(contentsOf: dir.path("t.npy"))
        #expect(array.shape.count == 2 && array.shape[1] == 16 && r.stdout.contains("int32"))
        let withBOS = try CLI.run(["model", "tokenize", tokenizer, "--text", "corpus.txt", "--context", "16", "--bos", "0", "--out", "b.npy"], in: dir.url)
        #expect(withBOS.status == 0, "\(withBOS.stderr)")
        let bos = try NPYArray(contentsOf: dir.path("b.npy"))
        #expect(stride(from: 0, to: bos.values.count, by: 16).allSatisfy { bos.values[$0] == 0 })
        let over = try CLI.run(["model", "tokenize", tokenizer, "--text", "corpus.txt", "--out", "corpus.txt"], in: dir.url)
        #expect(over.status == 2 && over.stderr.contains("is an input"), "\(over.stderr)")
        #expect(try String(contentsOfFile: dir.path("corpus.txt"), encoding: .utf8).hasPrefix("The model"))
        let short = try CLI.run(["model", "tokenize", tokenizer, "--text", "corpus.txt", "--context", "100000", "--out", "s.npy"], in: dir.url)
        #expect(short.status == 2 && short.stderr.contains("fewer than one sequence"), "\(short.stderr)")
    }

    @Test("eval sae on a GPT-2 folder without token ids, or eval lib on one, stops with exit 2 and says why")
    func evalRefusals() throws {
        let dir = try ScratchCopy()
        try writeTokens(dir)
        let model = Self.fixture.appendingPathComponent("model").path
        let noTokens = try CLI.run(["eval", "sae", "--model", model, "--layer", "blocks.0.hook_resid_post", "--no-store"], in: dir.url)
        #expect(noTokens.status == 2 && noTokens.stderr.contains("give --tokens"), "\(noTokens.stderr)")
        let badHook = try CLI.run(["eval", "sae", "--model", model, "--tokens", "tokens.npy", "--no-store"], in: dir.url)
        #expect(badHook.status == 2 && badHook.stderr.contains("blocks.0.hook_resid_pre"), "\(badHook.stderr)")
        let lib = try CLI.run(["eval", "lib", "--model", model, "--tokens", "tokens.npy", "--no-store"], in: dir.url)
        #expect(lib.status == 2 && lib.stderr.contains("needs a ReLU MLP"), "\(lib.stderr)")
        let both = try CLI.run(["eval", "sae", "--model", model, "--tokens", "tokens.npy", "--data", "tokens.npy", "--no-store"], in: dir.url)
        #expect(both.status != 0 && both.stderr.contains("not both"), "\(both.stderr)")
    }

    @Test("without tokens, with a token outside the vocabulary, or a fractional id, it stops with exit 2 and says why", arguments: [
        (nil as (Int, Double)?, false, "give --tokens"), ((5, 97), true, "outside the vocabulary of 97"), ((0, 1.5), true, "is not a token id"),
    ])
    func refusals(replacing: (Int, Double)?, withTokens: Bool, message: String) throws {
        let dir = try ScratchCopy()
        try writeTokens(dir, dtype: .f64, replacing: replacing)
        let r = try CLI.run(["model", "activations", Self.fixture.appendingPathComponent("model").path, "--layer", "logits", "--out", "x.npy"]
                            + (withTokens ? ["--tokens", "tokens.npy"] : []), in: dir.url)
        #expect(r.status == 2 && r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.npy")))
    }
}
