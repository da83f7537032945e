import Foundation
import Testing
@testable import WarrantCore

@Suite("Built-in templates")
struct TemplateTests {
    static let templates = Paths.repository.appendingPathComponent("templates")

    @Test("the embedded copy matches templates/ (run scripts/embed-templates.py after editing)")
    func embeddedInSync() throws {
        let files = FileManager.default.enumerator(atPath: Self.templates.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        #expect(Set(files) == Set(EmbeddedTemplates.files.keys))
        for file in files {
            let disk = try String(contentsOf: Self.templates.appendingPathComponent(file), encoding: .utf8)
            #expect(EmbeddedTemplates.files[file].map { $0 + "\n" } == disk, "\(file) differs from its embedded copy")
        }
    }

    /// Instantiates the scheming set into a scratch directory, as `warrant init` does.
    func instantiate(_ params: [String: String]) throws -> (ScratchDirectory, String) {
        let dir = try ScratchDirectory()
        for file in TemplateLibrary.files(ofSet: "scheming") {
            try dir.write(file.path, Templates.substitute(params, in: file.text) + "\n")
        }
        return (dir, dir.url.appendingPathComponent("case.yaml").path)
    }

    @Test("an instantiated scheming case passes at draft and fails at release on exactly the template's open blocking assumptions")
    func schemingLevels() throws {
        let (dir, path) = try instantiate(["model": "m", "deployment": "d"])
        _ = dir
        let draft = try check([path], level: .draft)
        #expect(!draft.failed, "\(draft.findings.filter { $0.severity == .error }.map { "\($0.rule) \($0.message)" })")
        #expect(draft.root == "ROOT.G")

        let release = try check([path], level: .release)
        #expect(release.failed)
        let reported = Set(release.findings(Rules.openBlockingAssumption).compactMap(\.node))
        let expected = Set(release.assumptions.filter { $0.gate == .blocking && $0.status == .open }.map(\.id))
        #expect(reported == expected)
        // The template's own list: every assumption not gated `warning`.
        let template = try #require(TemplateLibrary.requiredAssumptions(ofSet: "scheming"))
        let loaded = try CaseLoader().load(paths: [path])[0]
        let blocking = Set(loaded.assuranceCase.nodes.filter { $0.type == .assumption && $0.scheming.gate != .warning }.map(\.id))
        #expect(reported == blocking)
        #expect(template.count == release.assumptions.count)
        #expect(reported.contains("CE-6") && reported.contains("HC-A1") && !reported.contains("AT-A1"))
    }

    @Test("the scheming rules hold on the template, and the sandbagging routes break the circularity")
    func schemingRulesOnTemplate() throws {
        let (dir, path) = try instantiate(["model": "m", "deployment": "d", "outcome": "weight-exfiltration"])
        _ = dir
        let r = try check([path])
        for rule in [Rules.alignmentOnlySupport, Rules.inabilityAssumptions, Rules.sandbaggingRoute, Rules.harmControlAssumptions,
                     Rules.outcomeCoverage, Rules.circularDischarge, Rules.templateAssumptionMissing] {
            #expect(r.findings(rule).isEmpty, "\(rule.id): \(r.findings(rule).map(\.message))")
        }
    }

    @Test("deleting a template assumption is reported by name")
    func droppedAssumption() throws {
        let (dir, path) = try instantiate(["model": "m"])
        let file = dir.url.appendingPathComponent("harm-control.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        // Drop HC-A7: its key line and the indented lines under it, and the references to it.
        var lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("  HC-A7:") })
        var end = start + 1
        while end < lines.count, lines[end].hasPrefix("    ") || lines[end].isEmpty { end += 1 }
        lines.removeSubrange(start..<end)
        let edited = lines.joined(separator: "\n").replacingOccurrences(of: ", HC-A7]", with: "]").replacingOccurrences(of: "[HC-A7, ", with: "[")
            .replacingOccurrences(of: "[HC-A7]", with: "[]")
        try Data(edited.utf8).write(to: file)
        let r = try check([path])
        let f = try #require(r.findings(Rules.templateAssumptionMissing).first, "\(r.findings.map { "\($0.rule) \($0.message)" })")
        #expect(f.message.contains("HC-A7"))
    }

    @Test("a case can use a template file live, with parameters")
    func liveUse() throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("case.yaml", """
        warrant: 1
        case:
          id: live
          uses:
            - { template: scheming/harm-control, with: { model: m1, deployment: the lab, outcome: sabotage, protocol: P, risk_threshold: "0.01" } }
        nodes:
          G: { type: claim, text: top, supported_by: [HC.G] }
        """)
        let loaded = try CaseLoader().load(paths: [path])[0]
        let hc = try #require(loaded.assuranceCase["HC.G"])
        #expect(hc.text?.value.contains("m1") == true)
        #expect(hc.text?.value.contains("{model}") == false)
        #expect(hc.location.file == "templates/scheming/harm-control.yaml")
        #expect(loaded.sources["templates/scheming/harm-control.yaml"] != nil)
    }

    @Test("an unknown template gets a suggestion")
    func unknownTemplate() throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("case.yaml", "warrant: 1\ncase: { id: x, uses: [{ template: scheming/harm-contrl }] }\nnodes:\n  G: { type: claim, text: t, undeveloped: true }\n")
        let r = try check([path])
        #expect(r.findings(Rules.usesUnresolved).first?.message.contains("did you mean 'scheming/harm-control'?") == true)
    }
}
