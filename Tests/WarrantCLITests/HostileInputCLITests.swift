import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Hostile inputs from "no crash, no hang, no escape, no lost file": each gives exit 1 with
/// a located finding or exit 2 with a clear message, quickly, reads nothing outside the
/// case, and leaves every input file unchanged.
@Suite("Hostile input")
struct HostileInputCLITests {
    /// Runs warrant with a deadline: a hang is a failure, not a stuck test run.
    func run(_ arguments: [String], in dir: URL, seconds: Double = 20, stdout: FileHandle? = nil,
             executable: URL = CLI.executable) throws -> WarrantRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while waiting, so a chatty process cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] where !(pipe === out && stdout != nil) {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("warrant \(arguments.joined(separator: " ")) did not finish within \(seconds) s")
        }
        process.waitUntilExit()
        group.wait()
        return WarrantRun(status: process.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                          stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// A scratch case folder with a model file, a FIFO and a symlink to /etc/passwd.
    func hostileFolder() throws -> ScratchCopy {
        let dir = try ScratchCopy()
        try Data("weights".utf8).write(to: dir.url.appendingPathComponent("model.bin"))
        #expect(mkfifo(dir.path("fifo"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.path("passwd.yaml"), withDestinationPath: "/etc/passwd")
        return dir
    }

    func writeCase(_ dir: ScratchCopy, _ text: String, name: String = "case.yaml") throws {
        try Data(text.utf8).write(to: dir.url.appendingPathComponent(name))
    }

    static func evidenceCase(_ evidence: String, model: String = "model.bin", uses: String = "[]") -> String {
        """
        warrant: 1
        case:
          id: h
          system: { model: { path: \(model) } }
          uses: \(uses)
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b, \(evidence) }
        """
    }

    // MARK: Crashes

    @Test("recipe values that crashed build are located findings at every level, and build runs nothing", arguments: [
        ("method: sae, dict_size: 1e12", "F11", "`dict_size` must be a whole number from 1 to 65536"),
        ("method: sae, dict_size: -5", "F11", "`dict_size`"),
        ("method: sae, seed: -1", "F11", "`seed`"),
        ("method: sae, seed: 1e23", "F11", "`seed`"),
        ("method: polytope, pairs: .inf", "F11", "`pairs`"),
        ("method: sae, dict_size: abc", "F11", "found 'abc'"),
        ("method: sae, batch_size: 0", "F11", "`batch_size`"),
        ("method: sae, lambda: .nan", "F11", "`lambda` must be a finite number"),
        ("method: sae, lr: .inf", "F03", "unknown key 'lr' in a `sae` recipe"),
        ("method: saee", "F11", "no built-in `saee` evaluation; did you mean 'sae'?"),
    ])
    func recipes(recipe: String, rule: String, message: String) throws {
        let dir = try hostileFolder()
        try writeCase(dir, Self.evidenceCase("eval: { \(recipe) }"))
        for level in ["draft", "release"] {
            let r = try run(["check", "--no-color", "--level", level, "case.yaml"], in: dir.url)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("case.yaml:8:") && r.stdout.contains("error[\(rule)]") && r.stdout.contains(message), "\(r.stdout)")
        }
        for extra in [["--dry-run"], []] {
            let b = try run(["build", "case.yaml"] + extra, in: dir.url)
            #expect(b.status == 1, "\(b.stdout)\(b.stderr)")
            #expect(b.stdout.contains("build stopped before running anything"), "\(b.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path(".warrant")), "nothing ran, nothing was stored")
    }

    @Test("out-of-range flags of the eval commands are exit 2 with the flag named", arguments: [
        ["eval", "sae", "--dict-size", "1000000000000"], ["eval", "sae", "--lambda", "nan"], ["eval", "sae", "--learning-rate", "inf"],
        ["eval", "polytope", "--pairs", "0"], ["eval", "lib", "--threshold", "2"],
    ])
    func flags(arguments: [String]) throws {
        let r = try run(arguments + ["--model", "examples/models/modadd/model.json", "--no-store"], in: CLI.repository)
        #expect(r.status == 2)
        #expect(r.stderr.contains("must be a"), "\(r.stderr)")
    }

    @Test("model train refuses values that trapped or allocated without bound", arguments: [
        ["--train-fraction", "1.5"], ["--train-fraction", "0"], ["--hidden", "1000000000"], ["--hidden", "256,abc"],
        ["--learning-rate", "nan"], ["--steps=-1"], ["--batch-size=-3"], ["--weight-decay", "inf"],
    ])
    func modelTrain(arguments: [String]) throws {
        let dir = try ScratchCopy()
        let r = try run(["model", "train", "modadd", "--steps", "1", "--out", "m"] + arguments, in: dir.url)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("must") || r.stderr.contains("takes"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("m")))
    }

    @Test("an SAE of another width is refused before any matrix is multiplied")
    func saeWidth() throws {
        let dir = try ScratchCopy()
        let model = CLI.repository.appendingPathComponent("examples/models/modadd/model.json").path
        // An SAE on the 226-wide input, evaluated on the 256-wide hidden.0.
        let trained = try run(["eval", "sae", "--model", model, "--layer", "input", "--dict-size", "8", "--steps", "1",
                               "--batch-size", "16", "--no-store", "--out", "sae"], in: dir.url, seconds: 120)
        #expect(trained.status == 0, "\(trained.stderr)")
        // Its own hook is `input`: asking for hidden.0 is refused as a disagreement.
        let asked = try run(["eval", "sae", "--model", model, "--layer", "hidden.0", "--evaluate", "sae", "--no-store"], in: dir.url, seconds: 120)
        #expect(asked.status == 2 && asked.stderr.contains("reads `input`"), "\(asked.stderr)")
        // A cfg.json that names the wrong hook: the width check still refuses it.
        let cfg = dir.path("sae/cfg.json")
        let text = try String(contentsOfFile: cfg, encoding: .utf8).replacingOccurrences(of: "\"hook_name\": \"input\"", with: "\"hook_name\": \"hidden.0\"")
        try Data(text.utf8).write(to: URL(fileURLWithPath: cfg))
        let r = try run(["eval", "sae", "--model", model, "--evaluate", "sae", "--no-store"], in: dir.url, seconds: 120)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("reads 226-wide activations, but `hidden.0` of the model is 256 wide"), "\(r.stderr)")
    }

    @Test("polytope walks in a hidden layer's space finish and store their record (regression: a precondition after the walks)",
          arguments: ["hidden.0", "hidden.1"])
    func polytopeHidden(layer: String) throws {
        let dir = try ScratchCopy()
        let model = CLI.repository.appendingPathComponent("examples/models/modadd/model.json").path
        let r = try run(["eval", "polytope", "--model", model, "--layer", layer, "--pairs", "2", "--store", "e.sqlite"], in: dir.url, seconds: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let show = try run(["evidence", "list", "--store", "e.sqlite"], in: dir.url)
        #expect(show.stdout.contains("interpretability.polyt"), "\(show.stdout)")
    }

    // MARK: Hangs and memory

    @Test("a FIFO or a device named anywhere is refused at once", arguments: [
        "uses-fifo", "uses-zero", "source-file", "model", "inspect-log", "inspect-zero", "store", "add-file", "model-file", "diff-old",
        "store-folder",
    ])
    func specialFiles(where place: String) throws {
        let dir = try hostileFolder()
        // A store, so that evidence links are followed to their files; review, so that
        // evidence that cannot be read is an error.
        #expect(try run(["evidence", "add", "--kind", "k", "--case", "case.yaml"], in: dir.url).status == 0)
        var arguments = ["check", "--no-color", "--level", "review", "case.yaml"]
        var text = Self.evidenceCase("record: 0123456789abcdef")
        switch place {
        case "uses-fifo": text = Self.evidenceCase("record: 0123456789abcdef", uses: "[fifo]")
        case "uses-zero": text = Self.evidenceCase("record: 0123456789abcdef", uses: "[/dev/zero]")
        case "source-file": text = Self.evidenceCase("source: { file: fifo, sha256: \"\(String(repeating: "0", count: 64))\" }")
        case "model": text = Self.evidenceCase("record: 0123456789abcdef", model: "fifo")
        case "inspect-log": text = Self.evidenceCase("source: { inspect: fifo }")
        case "inspect-zero": text = Self.evidenceCase("source: { inspect: /dev/zero }")
        case "store": arguments = ["check", "case.yaml", "--store", "fifo"]
        case "store-folder": arguments = ["check", "case.yaml", "--store", "."]
        case "add-file": arguments = ["evidence", "add", "--kind", "k", "--file", "/dev/zero", "--store", "e.sqlite"]
        case "model-file": arguments = ["evidence", "add", "--kind", "k", "--model-file", "fifo", "--store", "e.sqlite"]
        default: arguments = ["diff", "fifo", "case.yaml"]
        }
        try writeCase(dir, text)
        let r = try run(arguments, in: dir.url, seconds: 10)
        #expect(r.status == 1 || r.status == 2, "\(r.stdout)\(r.stderr)")
        let said = r.stdout + r.stderr
        #expect(said.contains("FIFO") || said.contains("device") || said.contains("outside the case") || said.contains("it is a folder"), "\(said)")
    }

    // MARK: Reads outside the case

    @Test("case files outside the case's folder are refused and never quoted", arguments: [
        "/etc/shadow", "../../../../../../etc/passwd", "passwd.yaml", "/proc/self/environ",
    ])
    func outside(path: String) throws {
        let dir = try hostileFolder()
        try writeCase(dir, Self.evidenceCase("record: 0123456789abcdef", uses: "[\"\(path)\"]"))
        for format in ["text", "json"] {
            let r = try run(["check", "--no-color", "--format", format, "case.yaml"], in: dir.url)
            #expect(r.status == 1)
            #expect(r.stdout.contains("F14"), "\(r.stdout)")
            #expect(!r.stdout.contains("root:x:0:0") && !r.stdout.contains("PATH="), "nothing of the file is echoed")
        }
        let sarif = try run(["gate", "--format", "sarif", "case.yaml"], in: dir.url)
        #expect(!sarif.stdout.contains("root:x:0:0"))
    }

    @Test("a data file outside the case is refused unless its folder is in read_roots or given with --allow-read")
    func dataOutside() throws {
        let outer = try ScratchCopy()
        try FileManager.default.createDirectory(at: outer.url.appendingPathComponent("case"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outer.url.appendingPathComponent("models"), withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: outer.url.appendingPathComponent("models/m.bin"))
        let caseDir = outer.url.appendingPathComponent("case")
        let text = Self.evidenceCase("record: 0123456789abcdef", model: "../models/m.bin")
        try Data(text.utf8).write(to: caseDir.appendingPathComponent("case.yaml"))
        let refused = try run(["check", "--no-color", "case.yaml"], in: caseDir)
        #expect(refused.stdout.contains("error[F14]: the model file cannot be read"), "\(refused.stdout)")
        let allowed = try run(["check", "--no-color", "case.yaml", "--allow-read", "../models"], in: caseDir)
        #expect(!allowed.stdout.contains("F14"), "\(allowed.stdout)")
        try Data(text.replacingOccurrences(of: "  uses: []", with: "  uses: []\n  policy: { read_roots: [../models] }").utf8)
            .write(to: caseDir.appendingPathComponent("case.yaml"))
        let listed = try run(["check", "--no-color", "case.yaml"], in: caseDir)
        #expect(!listed.stdout.contains("F14"), "\(listed.stdout)")
    }

    // MARK: Lost files

    @Test("an output path that is an input of the run is refused and the file is unchanged", arguments: [
        ["report", "case.yaml", "-o", "case.yaml"], ["report", "case.yaml", "-o", ".warrant/evidence.sqlite"],
        ["gate", "case.yaml", "-o", "case.yaml"], ["gate", "case.yaml", "--format", "sarif", "-o", ".warrant/evidence.sqlite"],
        ["build", "case.yaml", "-o", "case.yaml"], ["build", "case.yaml", "-o", "logs/research-sabotage.json"],
        ["report", "case.yaml", "-o", "model/sandbox-agent.safetensors"], ["report", "case.yaml", "-o", "/dev/full"],
    ])
    func lostFiles(arguments: [String]) throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        try EvidenceCLITests().importExample(dir)
        let files = ["case.yaml", ".warrant/evidence.sqlite", "logs/research-sabotage.json", "model/sandbox-agent.safetensors"]
        let before = try files.map { try Data(contentsOf: dir.url.appendingPathComponent($0)) }
        let r = try run(arguments, in: dir.url)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("refusing to write"), "\(r.stderr)")
        #expect(try files.map { try Data(contentsOf: dir.url.appendingPathComponent($0)) } == before)
    }

    @Test("output that cannot be written is exit 2, on standard output too")
    func fullDevice() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try run(["report", "case.yaml"], in: dir.url, stdout: full)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot write to standard output"), "\(r.stderr)")
    }

    // MARK: Broken outputs

    static let nasty = """
    warrant: 1
    case: { id: nasty, system: { model: { path: model.bin } } }
    nodes:
      "G1\\n::error file=x.yaml::forged":
        type: claim
        text: "bell \\u0007 escape \\u001B[31mred\\u001B[0m <script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))"
        supported_by: [E1]
        in_context_of: [A1]
      A1:
        type: assumption
        text: "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) \\u001B[2J"
      E1: { type: evidence, text: "nul-ish \\u0001\\u0008 control", record: 0123456789abcdef }
    """

    @Test("node text cannot inject into the terminal, the CI log, the Markdown report or the JUnit XML")
    func escapedOutputs() throws {
        let dir = try hostileFolder()
        try writeCase(dir, Self.nasty)
        let text = try run(["check", "--no-color", "--level", "release", "case.yaml"], in: dir.url)
        #expect(!text.stdout.contains("\u{1B}"), "no ANSI escape reaches the terminal")
        #expect(!text.stdout.contains("\u{07}"))
        #expect(!text.stdout.split(separator: "\n").contains { $0.hasPrefix("::error") }, "\(text.stdout)")
        let github = try run(["gate", "--format", "github", "case.yaml"], in: dir.url)
        #expect(github.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }.allSatisfy { !$0.contains("::forged") || $0.contains("%0A") })

        let report = try run(["report", "case.yaml"], in: dir.url)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(!report.stdout.contains("<script>") && !report.stdout.contains("<img"), "raw HTML is escaped")
        // Outside the Mermaid code blocks (whose labels are not Markdown) no link is formed.
        let prose = report.stdout.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
        let link = try NSRegularExpression(pattern: #"(?<!\\)\]\(javascript:"#)
        #expect(link.numberOfMatches(in: prose, range: NSRange(prose.startIndex..., in: prose)) == 0, "no link is formed")
        #expect(prose.contains(#"\[click\](javascript:"#), "the brackets are escaped")
        #expect(report.stdout.contains("&lt;script&gt;"), "the assumption ledger shows the text, escaped")
        #expect(!report.stdout.contains("\u{1B}"), "no control character reaches the report")
        #expect(!report.stdout.split(separator: "\n").contains { $0.hasPrefix("::error") }, "an id's newline does not start a line")

        let junit = try run(["gate", "--format", "junit", "case.yaml"], in: dir.url)
        let parser = XMLParser(data: Data(junit.stdout.utf8))
        #expect(parser.parse(), "JUnit XML parses: \(String(describing: parser.parserError))")
    }

    // MARK: Other

    @Test("a UTF-8 byte order mark before `warrant: 1` is accepted")
    func byteOrderMark() throws {
        let dir = try ScratchCopy()
        try Data([0xEF, 0xBB, 0xBF] + Array("warrant: 1\ncase: { id: x }\nnodes:\n  G1: { type: claim, text: a, undeveloped: true }\n".utf8))
            .write(to: dir.url.appendingPathComponent("case.yaml"))
        let r = try run(["check", "case.yaml"], in: dir.url)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(!r.stdout.contains("F01"))
    }

    /// Whether the tests can run warrant as the unprivileged user `nobody` (root can write
    /// any file, so a read-only store is only read-only to someone else).
    static let canRunAsNobody: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        p.arguments = ["-u", "nobody", "--", "/usr/bin/test", "-x", CLI.executable.path]
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test("a store that cannot be written serves every read-only command", .enabled(if: canRunAsNobody, "needs root, runuser and a warrant that nobody may run"))
    func readOnlyStore() throws {
        let dir = try ScratchCopy(of: EvidenceCLITests.example)
        try EvidenceCLITests().importExample(dir)
        _ = try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path)
        for sub in [".warrant"] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path(sub)) }
        let store = dir.path(".warrant/evidence.sqlite")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        for arguments in [["check", "--level", "release", "case.yaml"], ["evidence", "verify", "--case", "case.yaml"],
                          ["evidence", "list", "--case", "case.yaml"], ["gate", "case.yaml"]] {
            let r = try run(["-u", "nobody", "--", CLI.executable.path] + arguments, in: dir.url,
                            executable: URL(fileURLWithPath: "/usr/sbin/runuser"))
            #expect(r.status == 0, "\(arguments): \(r.stdout)\(r.stderr)")
        }
        let add = try run(["-u", "nobody", "--", CLI.executable.path, "evidence", "add", "--kind", "k", "--case", "case.yaml"],
                          in: dir.url, executable: URL(fileURLWithPath: "/usr/sbin/runuser"))
        #expect(add.status == 2)
        #expect(add.stderr.contains("is read-only here"), "\(add.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }
}
