import Foundation
import Testing
import WarrantKit

/// The repository, found from this file's location.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func example(_ path: String) -> String { root.appendingPathComponent("examples/" + path).path }
}

/// A scratch folder removed when the value is dropped; optionally a copy of an example.
final class Scratch {
    let url: URL
    init(copying example: String? = nil) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warrantkit-\(UUID().uuidString)")
        if let example {
            try FileManager.default.copyItem(atPath: Repository.example(example), toPath: url.path)
        } else {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// WarrantKit does what the commands do, as calls a program can make.
@Suite("WarrantKit: the main jobs as a library")
struct WarrantKitTests {
    @Test("check: a case with its evidence, at its own level or another")
    func check() throws {
        let file = Repository.example("scheming-sketch/case.yaml")
        let draft = try #require(CaseChecker.analyse(CheckRequest(files: [file], level: .draft)).first)
        #expect(draft.passed)
        #expect(draft.report.root == "G-top")
        let release = try #require(CaseChecker.analyse(CheckRequest(files: [file], level: .release)).first)
        #expect(!release.passed)
        #expect(release.report.findings.contains { $0.rule == Rules.rootNotSupported.id })
    }

    @Test("check: an unreadable case is an error, not a finding")
    func unreadable() throws {
        let dir = try Scratch()
        #expect(throws: CaseLoadError.self) { try CaseChecker.analyse(CheckRequest(files: [dir.path("none.yaml")])) }
    }

    @Test("build: imports what is missing, stores it, checks and reports; a second build reuses it")
    func build() throws {
        let dir = try Scratch(copying: "inspect-evidence")
        let builder = CaseBuilder(file: dir.path("case.yaml"))
        let first = try builder.prepare()
        #expect(first.toRun.map(\.node) == ["E1"])
        var messages: [String] = []
        let outcome = try builder.run(first) { event in
            if case .message(let node, let text) = event { messages.append("\(node): \(text)") }
        }
        #expect(messages.count == 1 && messages[0].hasPrefix("E1: importing the Inspect log"))
        #expect(outcome.items.map(\.ran) == [true])
        #expect(outcome.analysis.passed)
        #expect(outcome.reportPath == dir.path("report.md"))
        let report = try String(contentsOfFile: outcome.reportPath, encoding: .utf8)
        #expect(report.hasPrefix("# Safety case report"))
        let second = try builder.prepare()
        #expect(second.toRun.isEmpty)
        #expect(try builder.run(second).summaryLine == "built: 0 ran, 1 reused")
    }

    @Test("build: a report path that is an input is refused before anything runs")
    func buildRefusesInputs() throws {
        let dir = try Scratch(copying: "inspect-evidence")
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("case.yaml")))
        let builder = CaseBuilder(file: dir.path("case.yaml"), reportPath: dir.path("case.yaml"))
        #expect { try builder.prepare() } throws: { error in
            guard case CaseBuilder.Failure.outputIsInput(_, let role) = error else { return false }
            return role == "a case file"
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("case.yaml"))) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.path(".warrant/evidence.sqlite")))
    }

    @Test("build: a recipe value out of range stops the build with the located format error")
    func buildStopsOnFormatErrors() throws {
        let dir = try Scratch()
        let text = """
        warrant: 1
        case: { id: t }
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b, eval: { method: sae, dict_size: -5 } }
        """
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.path("case.yaml")))
        #expect { try CaseBuilder(file: dir.path("case.yaml")).prepare() } throws: { error in
            guard case CaseBuilder.Failure.formatErrors(_, let findings) = error else { return false }
            return findings.map(\.rule) == [Rules.invalidValue.id] && findings[0].location?.line == 5
        }
    }

    @Test("report, gate and diff render what the commands print", arguments: GateFormat.allCases)
    func outputs(format: GateFormat) throws {
        let file = Repository.example("scheming-sketch/case.yaml")
        let analyses = try CaseChecker.analyse(CheckRequest(files: [file]))
        let text = GateOutput.render(analyses, format: format, level: nil, strict: false)
        switch format {
        case .json, .sarif, .gitlab: #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
        case .junit: #expect(text.hasPrefix("<?xml"))
        case .text: #expect(text.contains("check passed at level draft"))
        case .github: #expect(!text.isEmpty)
        }
        let report = ReportFiles(analyses[0], reportPath: nil)
        #expect(report.plots.isEmpty && report.markdown.contains("## Legs"))
        let diff = try #require(try CaseChecker.diff(old: file, new: file))
        #expect(diff.text().contains("no changes") || !diff.text().isEmpty)
    }

    @Test("init: a template filled in, leftovers counted, names with '-' included")
    func initFromTemplate() throws {
        let dir = try Scratch()
        let template = try CaseTemplate(named: "scheming")
        let values = try template.parameters(["model=m1"])
        let written = try template.write(values, into: dir.path("case"))
        #expect(written.paths.contains(dir.path("case/case.yaml")))
        #expect(written.filled == ["model": "m1"])
        #expect(written.leftovers["model"] == nil)
        // The leftovers are exactly the placeholders the written files still hold.
        var expected: [String: Int] = [:]
        for path in written.paths {
            for name in PlaceholderScanner.occurrences(in: try String(contentsOfFile: path, encoding: .utf8)) { expected[name, default: 0] += 1 }
        }
        #expect(written.leftovers == expected)
        #expect(throws: CaseTemplate.Failure.self) { try template.write(values, into: dir.path("case")) }
        #expect(throws: CaseTemplate.Failure.self) { try template.parameters(["modle=m1"]) }
        #expect(throws: CaseTemplate.Failure.self) { try CaseTemplate(named: "schemin") }
    }

    @Test("asserted records: from fields, marked asserted, refused with a time in the future")
    func asserted() throws {
        let record = try AssertedRecord.record(.init(kind: "control_eval", title: "t", metrics: ["upper_bound=0.003"], method: "red-team@2"))
        #expect(record.metrics["upper_bound"]?.value == 0.003)
        #expect(record.method?.version == "2")
        #expect(try AssertedRecord.asserted(record, from: "--kind control_eval").provenance == .asserted)
        #expect(throws: AssertedRecord.Failure.self) { try AssertedRecord.record(.init(kind: "x", metrics: ["a=high"])) }
        var future = record
        future.producer.time = "2999-01-01T00:00:00Z"
        #expect(throws: AssertedRecord.Failure.self) { try AssertedRecord.asserted(future, from: "x") }
    }
}
