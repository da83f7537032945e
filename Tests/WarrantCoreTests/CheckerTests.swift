import Foundation
import Testing
@testable import WarrantCore

/// Writes a one-file Warrant case with the given `nodes:` body and checks it.
func checkCase(_ nodes: String, header: String = "case: { id: t }", level: GateLevel = .draft,
               passing: Set<String> = []) throws -> CheckReport {
    let dir = try ScratchDirectory()
    let path = try dir.write("case.yaml", "warrant: 1\n\(header)\nnodes:\n\(nodes)")
    return try check([path], level: level, passing: passing)
}

@Suite("The shipped example, and broken copies of it")
struct ExampleCaseTests {
    static let exampleDir = Paths.examples.appendingPathComponent("scheming-sketch")

    @Test("the example checks clean at draft, and is open at release")
    func exampleIsValid() throws {
        let path = Self.exampleDir.appendingPathComponent("case.yaml").path
        let draft = try check([path])
        #expect(!draft.failed, "\(draft.findings)")
        #expect(draft.root == "G-top")
        #expect(draft.rootStatus == .open)
        let release = try check([path], level: .release)
        #expect(release.failed)
        #expect(release.findings(Rules.rootNotSupported).first?.severity == .error)
        #expect(release.findings(Rules.markedUndeveloped).allSatisfy { $0.severity == .error })
    }

    struct Mutation: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var find: String
        var replace: String
        var rule: Rule
        /// Text on the faulty line, to compute the expected line and column.
        var at: String
        var messageContains: String
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        Mutation(name: "misspelt key", file: "case.yaml",
                 find: "    supported_by: [S-legs]", replace: "    suported_by: [S-legs]",
                 rule: Rules.unknownKey, at: "suported_by", messageContains: "did you mean 'supported_by'?"),
        Mutation(name: "dangling reference", file: "case.yaml",
                 find: "supported_by: [G-SI, G-HI, G-HC, G-AL]", replace: "supported_by: [G-SI, G-IH, G-HC, G-AL]",
                 rule: Rules.unresolvedReference, at: "G-IH", messageContains: "did you mean 'G-HI'?"),
        Mutation(name: "supported_by cycle", file: "case.yaml",
                 find: "    supported_by: [E-reasoning-evals]", replace: "    supported_by: [E-reasoning-evals, S-legs]",
                 rule: Rules.supportCycle, at: "G-SI, G-HI", messageContains: "S-legs -> G-SI -> S-legs"),
        Mutation(name: "duplicate id in one file", file: "case.yaml",
                 find: "  G-AL:\n", replace: "  G-HI:\n",
                 rule: Rules.duplicateKey, at: "  G-HI:", messageContains: "duplicate key 'G-HI'"),
        Mutation(name: "duplicate id across files", file: "harm-control.yaml",
                 find: "  E-control-eval:\n", replace: "  E-reasoning-evals:\n",
                 rule: Rules.duplicateID, at: "  E-reasoning-evals:", messageContains: "already defined at"),
    ]

    @Test("each broken copy fails with the rule id and the fault's file:line:col", arguments: mutations)
    func brokenCopy(_ m: Mutation) throws {
        let dir = try ScratchDirectory()
        var texts: [String: String] = [:]
        for name in ["case.yaml", "harm-control.yaml"] {
            texts[name] = try String(contentsOf: Self.exampleDir.appendingPathComponent(name), encoding: .utf8)
        }
        let original = try #require(texts[m.file])
        #expect(original.contains(m.find), "the example changed; update the mutation")
        let mutated = original.replacingOccurrences(of: m.find, with: m.replace)
        texts[m.file] = mutated
        for (name, text) in texts { try dir.write(name, text) }

        let report = try check([dir.url.appendingPathComponent("case.yaml").path])
        #expect(report.failed)
        let finding = try #require(report.findings(m.rule).first, "no \(m.rule.id) in \(report.findings)")
        #expect(finding.severity == .error)
        #expect(finding.message.contains(m.messageContains), "\(finding.message)")
        // The duplicate is the second occurrence of the id in its file.
        let occurrence = m.rule == Rules.duplicateKey ? 2 : 1
        let expected = try #require(position(of: m.at, in: mutated, occurrence: occurrence))
        let loc = try #require(finding.location)
        #expect(loc.file.hasSuffix(m.file))
        #expect(loc.line == expected.line)
        let column = m.at.hasPrefix("  ") ? expected.column + 2 : expected.column
        #expect(loc.column == column)
    }
}

@Suite("Loader: format errors are located and explained")
struct LoaderTests {
    @Test("an unknown key gets a suggestion")
    func unknownKey() throws {
        let r = try checkCase("  G1:\n    type: claim\n    txet: hello\n    undeveloped: true\n")
        let f = try #require(r.findings(Rules.unknownKey).first)
        #expect(f.message == "unknown key 'txet' in node 'G1'; did you mean 'text'?")
        #expect(f.location?.line == 6 && f.location?.column == 5)
    }

    @Test("a wrong shape says what was expected and found")
    func wrongShape() throws {
        let r = try checkCase("  G1:\n    type: claim\n    text: [a, b]\n    undeveloped: true\n")
        let f = try #require(r.findings(Rules.wrongShape).first)
        #expect(f.message == "expected a string for `text` of node 'G1', found a list")
    }

    @Test("a node type is checked, with aliases accepted", arguments: [
        ("goal", nil as String?), ("solution", nil), ("claim", nil), ("clam", "did you mean 'claim'?"),
    ])
    func nodeType(type: String, error: String?) throws {
        let r = try checkCase("  G1:\n    type: \(type)\n    text: hello\n    undeveloped: true\n")
        if let error {
            #expect(r.findings(Rules.invalidValue).first?.message.contains(error) == true)
        } else {
            #expect(r.findings(Rules.invalidValue).isEmpty)
        }
    }

    @Test("a single id may stand for a one-item list")
    func singleReference() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: E1 }
          E1: { type: evidence, text: b }
        """)
        #expect(!r.failed, "\(r.findings)")
    }

    @Test("the format version is checked", arguments: [("2", "version 2"), ("one", "expected the format version")])
    func version(value: String, message: String) throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("c.yaml", "warrant: \(value)\ncase: { id: x }\nnodes:\n  G1: { type: claim, text: a, undeveloped: true }\n")
        let r = try check([path])
        #expect(r.findings(Rules.formatVersion).first?.message.contains(message) == true)
    }

    @Test("a missing `warrant:` key is reported with a fix")
    func missingVersion() throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("c.yaml", "case: { id: x }\nnodes:\n  G1: { type: claim, text: a, undeveloped: true }\n")
        let r = try check([path], format: .warrant)
        #expect(r.findings(Rules.missingKey).first?.hint == "add `warrant: 1` as the first line")
    }

    @Test("a cycle of uses is reported with the whole cycle")
    func usesCycle() throws {
        let dir = try ScratchDirectory()
        let a = try dir.write("a.yaml", "warrant: 1\ncase: { id: a, uses: [b.yaml] }\nnodes:\n  G1: { type: claim, text: a, supported_by: [G2] }\n")
        try dir.write("b.yaml", "warrant: 1\nmodule: { id: b, uses: [sub/c.yaml] }\nnodes:\n  G2: { type: claim, text: b, undeveloped: true }\n")
        try dir.write("sub/c.yaml", "warrant: 1\nmodule: { uses: [../b.yaml] }\nnodes: {}\n")
        let r = try check([a])
        let f = try #require(r.findings(Rules.usesCycle).first)
        #expect(f.message.hasSuffix("b.yaml -> \(dir.url.path)/sub/c.yaml -> \(dir.url.path)/b.yaml"))
        #expect(f.location?.file.hasSuffix("sub/c.yaml") == true)
    }

    @Test("a used file that is missing is located at the `uses` entry")
    func usesMissing() throws {
        let dir = try ScratchDirectory()
        let a = try dir.write("a.yaml", "warrant: 1\ncase:\n  id: a\n  uses: [nope.yaml]\nnodes:\n  G1: { type: claim, text: a, undeveloped: true }\n")
        let f = try #require(try check([a]).findings(Rules.usesUnresolved).first)
        #expect(f.location?.line == 4 && f.location?.column == 10)
    }

    @Test("an unreadable top-level file is an error of the tool, not a finding")
    func unreadable() throws {
        #expect(throws: CaseLoadError.self) { try CaseLoader().load(paths: ["/nonexistent/case.yaml"]) }
        let dir = try ScratchDirectory()
        #expect(throws: CaseLoadError.self) { try CaseLoader().load(paths: [dir.url.path]) }
    }

    @Test("hostile files give findings, never a crash", arguments: [
        "a: &a [*a]\n", "{{{{{{{{", "- - - - -\n\t- x", "\u{FEFF}warrant: 1\n", "warrant: 1\ncase: 3\nnodes: 4\n",
        "warrant: 1\ncase: { id: x }\nnodes:\n  ? [complex, key]\n  : { type: claim }\n",
        "warrant: 1\ncase: { id: x }\nnodes:\n  G1: ~\n", "warrant: 1\ncase: { id: x }\nnodes: [a, b]\n",
    ])
    func hostile(text: String) throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("h.yaml", text)
        let r = try check([path], format: .warrant)
        #expect(r.failed)
    }
}

@Suite("Checker: structure rules")
struct StructureRuleTests {
    @Test("two roots are reported together")
    func twoRoots() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, undeveloped: true }
          G2: { type: claim, text: b, undeveloped: true }
        """)
        let f = try #require(r.findings(Rules.singleRoot).first)
        #expect(f.message.contains("2 roots") && f.message.contains("G1, G2"))
        #expect(f.severity == .error)
    }

    @Test("the root must be a claim")
    func rootIsClaim() throws {
        let r = try checkCase("""
          S1: { type: strategy, text: a, supported_by: [G1] }
          G1: { type: claim, text: b, undeveloped: true }
        """)
        #expect(r.findings(Rules.rootIsClaim).count == 1)
    }

    @Test("link types", arguments: [
        ("  G1: { type: claim, text: a, supported_by: [E1] }\n  E1: { type: evidence, text: b, supported_by: [G2] }\n  G2: { type: claim, text: c, undeveloped: true }\n", "S04"),
        ("  G1: { type: claim, text: a, supported_by: [C1] }\n  C1: { type: context, text: b }\n", "S19"),
        ("  G1: { type: claim, text: a, in_context_of: [G2], undeveloped: true }\n  G2: { type: claim, text: c, undeveloped: true }\n", "S06"),
        ("  G1: { type: claim, text: a, supported_by: [S1] }\n  S1: { type: strategy, text: b, supported_by: [E1] }\n  E1: { type: evidence, text: c }\n", "S05"),
        ("  G1: { type: claim, text: a, supported_by: [S1] }\n  S1: { type: strategy, text: b, supported_by: [S2] }\n  S2: { type: strategy, text: c, undeveloped: true }\n", "S04"),
        ("  G1: { type: claim, text: a, supported_by: [E1], discharged_by: [E1] }\n  E1: { type: evidence, text: c }\n", "S17"),
    ])
    func linkTypes(nodes: String, rule: String) throws {
        let r = try checkCase(nodes)
        #expect(r.findings.contains { $0.rule == rule }, "\(r.findings.map(\.rule))")
    }

    @Test("a claim without support must be marked undeveloped")
    func undevelopedLeaf() throws {
        let r = try checkCase("  G1: { type: claim, text: a }\n")
        #expect(r.findings(Rules.undevelopedLeaf).first?.severity == .error)
    }

    @Test("undeveloped with support is contradictory")
    func undevelopedWithSupport() throws {
        let r = try checkCase("  G1: { type: claim, text: a, undeveloped: true, supported_by: [E1] }\n  E1: { type: evidence, text: b }\n")
        #expect(r.findings(Rules.undevelopedWithSupport).count == 1)
    }

    @Test("a claim whose subtree ends only in undeveloped nodes is reported once, at the top")
    func transitivelyUndeveloped() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [S1, G4] }
          S1: { type: strategy, text: b, supported_by: [G2, G3] }
          G2: { type: claim, text: c, undeveloped: true }
          G3: { type: claim, text: d, undeveloped: true }
          G4: { type: claim, text: e, supported_by: [E1] }
          E1: { type: evidence, text: f }
        """)
        let f = r.findings(Rules.transitivelyUndeveloped)
        #expect(f.map(\.node) == ["S1"])
    }

    @Test("unreachable nodes on a detached cycle")
    func unreachable() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b }
          G2: { type: claim, text: c, supported_by: [G3] }
          G3: { type: claim, text: d, supported_by: [G2] }
        """)
        #expect(Set(r.findings(Rules.unreachable).compactMap(\.node)) == ["G2", "G3"])
        #expect(r.findings(Rules.supportCycle).first?.message.contains("G2 -> G3 -> G2") == true)
    }

    @Test("self and duplicate references")
    func selfAndDuplicates() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1, E1, G1] }
          E1: { type: evidence, text: b }
        """)
        #expect(r.findings(Rules.duplicateReference).count == 1)
        #expect(r.findings(Rules.supportCycle).first?.message.contains("supports itself") == true)
    }

    @Test("defeater targets", arguments: [
        ("  D1: { type: defeater, text: x }\n", "challenges nothing"),
        ("  D1: { type: defeater, text: x, challenges: [D1] }\n", "challenges itself"),
        ("  D1: { type: defeater, text: x, challenges: [C1] }\n", "cannot be challenged"),
        ("  D1: { type: defeater, text: x, challenges: [\"G1 -> C1\"] }\n", "does not link"),
        ("  E2: { type: evidence, text: x, challenges: [G1] }\n", "only defeaters"),
    ])
    func defeaterTargets(extra: String, message: String) throws {
        let r = try checkCase("  G1: { type: claim, text: a, supported_by: [E1] }\n  E1: { type: evidence, text: b }\n  C1: { type: context, text: c }\n" + extra)
        #expect(r.findings(Rules.defeaterTarget).contains { $0.message.contains(message) }, "\(r.findings)")
    }

    @Test("leftover placeholders warn in a draft and fail a release")
    func placeholders() throws {
        let nodes = "  G1: { type: claim, text: \"{model} is safe in {deployment}\", undeveloped: true }\n"
        let draft = try checkCase(nodes)
        let f = try #require(draft.findings(Rules.placeholder).first)
        #expect(f.severity == .warning)
        #expect(f.message.contains("{model}, {deployment}"))
        let release = try checkCase(nodes, level: .release)
        #expect(release.findings(Rules.placeholder).first?.severity == .error)
    }

    @Test("placeholder names", arguments: [
        ("{model}", ["model"]), ("a {b} {b} {c_d}", ["b", "c_d"]), ("{not one}", []), ("{}", []), ("json {\"a\": 1}", []),
    ])
    func placeholderNames(text: String, names: [String]) {
        #expect(CheckRunNames.placeholders(text) == names)
    }

    @Test("a 20,000-node chain checks without exhausting the stack")
    func deepChain() throws {
        var nodes = ""
        let n = 20_000
        for i in 0..<n {
            nodes += "  G\(i): { type: claim, text: t, supported_by: [\(i + 1 < n ? "G\(i + 1)" : "E")] }\n"
        }
        nodes += "  E: { type: evidence, text: e }\n"
        let r = try checkCase(nodes)
        #expect(!r.failed)
        #expect(r.root == "G0")
    }
}

@Suite("Checker: statuses roll up to the root")
struct StatusTests {
    @Test("a claim supported only by a justification and a context is open, as S11 says it is undeveloped")
    func contextOnlySupport() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [J1, C1] }
          J1: { type: justification, text: b }
          C1: { type: context, text: c }
        """)
        #expect(r.status(of: "G1") == .open)
        #expect(r.rootStatus == .open)
        #expect(!r.findings(Rules.transitivelyUndeveloped).isEmpty || !r.findings(Rules.unattachedContext).isEmpty)
    }

    @Test("an assumption discharged by the root is a circular discharge, not a case without a root")
    func dischargedByRoot() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [G2] }
          G2: { type: claim, text: b, supported_by: [E1], in_context_of: [A1] }
          E1: { type: evidence, text: c }
          A1: { type: assumption, text: d, discharged_by: [G1] }
        """)
        #expect(r.root == "G1")
        #expect(r.findings(Rules.singleRoot).isEmpty, "\(r.findings(Rules.singleRoot))")
        #expect(!r.findings(Rules.circularDischarge).isEmpty)
    }

    @Test("a claim only a discharge names is still not a second root")
    func dischargeTargetNotRoot() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1] }
          E1: { type: evidence, text: c }
          A1: { type: assumption, text: d, discharged_by: [G9] }
          G9: { type: claim, text: e, supported_by: [E2] }
          E2: { type: evidence, text: f }
        """)
        #expect(r.root == "G1")
        #expect(r.findings(Rules.singleRoot).isEmpty)
    }

    @Test("with an open defeater, R01 names the defeater as well as what it lacks")
    func openDefeaterNamed() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b }
          D1: { type: defeater, text: c, challenges: [G1], supported_by: [E2] }
          E2: { type: evidence, text: d }
        """, passing: ["E1"])
        let r01 = try #require(r.findings(Rules.rootNotSupported).first)
        #expect(r01.message.contains("open defeater (1)"), "\(r01.message)")
        #expect(r01.notes.contains { $0.message.contains("'D1'") }, "\(r01.notes)")
        #expect(r01.notes.contains { $0.message.contains("'E2'") }, "\(r01.notes)")
    }

    @Test("evidence is open until the evidence store exists, and so is its claim")
    func evidenceOpen() throws {
        let r = try checkCase("  G1: { type: claim, text: a, supported_by: [E1] }\n  E1: { type: evidence, text: b }\n")
        #expect(r.status(of: "G1") == .open)
        #expect(r.findings(Rules.rootNotSupported).first?.severity == .info)
    }

    @Test("an assumption is discharged when what discharges it is supported")
    func discharge() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [G2], in_context_of: [A1] }
          G2: { type: claim, text: b, supported_by: [G3] }
          G3: { type: claim, text: c, undeveloped: true }
          A1: { type: assumption, text: d, discharged_by: [G2] }
          A2: { type: assumption, text: e }
        """)
        #expect(r.status(of: "A1") == .open)
        #expect(r.status(of: "G1") == .open)
        #expect(r.findings(Rules.singleRoot).first?.message.contains("G1, A2") == true)
    }

    @Test("passing evidence supports its claim and discharges assumptions")
    func passingEvidence() throws {
        let nodes = """
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1, C1] }
          E1: { type: evidence, text: b }
          C1: { type: context, text: c }
          A1: { type: assumption, text: d, discharged_by: [E2] }
          E2: { type: evidence, text: e }
        """
        let none = try checkCase(nodes)
        #expect(none.status(of: "G1") == .open && none.status(of: "A1") == .open)
        let one = try checkCase(nodes, passing: ["E1"])
        #expect(one.status(of: "G1") == .open && one.status(of: "A1") == .open)
        let both = try checkCase(nodes, level: .release, passing: ["E1", "E2"])
        #expect(both.status(of: "A1") == .supported)
        #expect(both.status(of: "G1") == .supported)
        #expect(!both.failed, "\(both.findings)")
    }

    @Test("a sustained defeater defeats its target; a refuted one does not")
    func defeaters() throws {
        let base = """
          G1: { type: claim, text: a, supported_by: [G2] }
          G2: { type: claim, text: b, supported_by: [E1] }
          E1: { type: evidence, text: c }
          D1: { type: defeater, text: d, challenges: [G2], supported_by: [E2] }
          E2: { type: evidence, text: e }
        """
        let sustained = try checkCase(base, passing: ["E1", "E2"])
        #expect(sustained.status(of: "D1") == .supported)
        #expect(sustained.status(of: "G2") == .defeated)
        #expect(sustained.status(of: "G1") == .defeated)
        #expect(sustained.findings(Rules.rootNotSupported).first?.message.contains("sustained defeater (1)") == true)

        let refuted = try checkCase(base + "\n  D2: { type: defeater, text: f, challenges: [D1], supported_by: [E3] }\n  E3: { type: evidence, text: g }\n",
                                    passing: ["E1", "E2", "E3"])
        #expect(refuted.status(of: "D1") == .defeated)
        #expect(refuted.status(of: "G1") == .supported)

        let open = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1] }
          E1: { type: evidence, text: b }
          D1: { type: defeater, text: d, challenges: ["G1 -> E1"], undeveloped: true }
        """, passing: ["E1"])
        #expect(open.status(of: "D1") == .open)
        #expect(open.status(of: "G1") == .open)
        #expect(open.findings(Rules.rootNotSupported).first?.message.contains("open defeater (1)") == true)
    }

    @Test("an open assumption in context keeps a claim open; a defeated discharge invalidates it")
    func assumptionInvalidated() throws {
        let r = try checkCase("""
          G1: { type: claim, text: a, supported_by: [E1], in_context_of: [A1] }
          E1: { type: evidence, text: b }
          A1: { type: assumption, text: c, discharged_by: [G2] }
          G2: { type: claim, text: d, supported_by: [E2] }
          E2: { type: evidence, text: e }
          D1: { type: defeater, text: f, challenges: [E2], supported_by: [E3] }
          E3: { type: evidence, text: g }
        """, passing: ["E1", "E2", "E3"])
        #expect(r.status(of: "G2") == .defeated)
        #expect(r.status(of: "A1") == .defeated)
        #expect(r.status(of: "G1") == .defeated)
    }
}

/// Exposes the checker's placeholder scanner to tests.
enum CheckRunNames {
    static func placeholders(_ text: String) -> [String] { PlaceholderScanner.names(in: text) }
}
