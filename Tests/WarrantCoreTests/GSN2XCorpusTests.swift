import Foundation
import Testing
@testable import WarrantCore

/// One gsn2x invocation from the corpus and the verdict gsn2x reaches.
struct GSN2XInvocation: CustomTestStringConvertible, Sendable {
    var files: [String]
    var passes: Bool
    var testDescription: String { files.joined(separator: " + ") + (passes ? " passes" : " fails") }
}

/// Walks `Fixtures/gsn2x/EXPECTED.md`, a table of gsn2x invocations and their
/// verdicts, and checks that Warrant reaches the same verdict for every row.
@Suite("gsn2x corpus")
struct GSN2XCorpusTests {
    static let corpus = Paths.fixtures.appendingPathComponent("gsn2x")

    /// Parses the table's rows. The first column lists the inputs: `a + b` is one
    /// invocation with two files; `a, b, c` are separate invocations; the row
    /// `tests/issue249, 250, …, 84_1..84_4 (.yaml)` abbreviates file names.
    static func expectedTable() throws -> [GSN2XInvocation] {
        let text = try String(contentsOf: corpus.appendingPathComponent("EXPECTED.md"), encoding: .utf8)
        var rows: [GSN2XInvocation] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| inputs") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, !cells[0].hasPrefix("---") else { continue }
            let passes = cells[1].hasPrefix("pass")
            var inputs = cells[0]
            let abbreviated = inputs.hasSuffix("(.yaml)")
            if let paren = inputs.range(of: " (") { inputs = String(inputs[..<paren.lowerBound]) }
            if inputs.contains(" + ") {
                rows.append(GSN2XInvocation(files: inputs.components(separatedBy: " + "), passes: passes))
            } else if abbreviated {
                for token in inputs.replacingOccurrences(of: "tests/issue", with: "").components(separatedBy: ", ") {
                    if let range = token.range(of: "..") {
                        // 84_1..84_4
                        let first = String(token[..<range.lowerBound]), last = String(token[range.upperBound...])
                        let stem = first.split(separator: "_")[0]
                        let from = Int(first.split(separator: "_")[1])!, to = Int(last.split(separator: "_")[1])!
                        for k in from...to { rows.append(GSN2XInvocation(files: ["tests/issue\(stem)_\(k).yaml"], passes: passes)) }
                    } else {
                        rows.append(GSN2XInvocation(files: ["tests/issue\(token).yaml"], passes: passes))
                    }
                }
            } else {
                for file in inputs.components(separatedBy: ", ") {
                    rows.append(GSN2XInvocation(files: [file], passes: passes))
                }
            }
        }
        return rows
    }

    /// Files the table leaves out, with the verdict gsn2x gives for each alone
    /// (read from gsn2x's tests and rules).
    static let unlisted: [GSN2XInvocation] = [
        GSN2XInvocation(files: ["tests/circle2.yaml"], passes: false),
        GSN2XInvocation(files: ["tests/circle3.yaml"], passes: false),
        GSN2XInvocation(files: ["tests/issue391_1.yaml"], passes: false),
        GSN2XInvocation(files: ["tests/issue391_1.yaml", "tests/issue391_2.yaml"], passes: true),
        GSN2XInvocation(files: ["tests/issue391_2.yaml"], passes: true),
        GSN2XInvocation(files: ["tests/issue433_1.yaml"], passes: true),
        GSN2XInvocation(files: ["tests/issue433_2.yaml"], passes: false),
        GSN2XInvocation(files: ["tests/issue467.yaml"], passes: true),
        GSN2XInvocation(files: ["tests/issue472.yaml"], passes: false),
        GSN2XInvocation(files: ["tests/issue472_2.yaml"], passes: true),
        GSN2XInvocation(files: ["tests/no_evidence.gsn.test.yaml"], passes: true),
        GSN2XInvocation(files: ["examples/template/instance.gsn.yaml"], passes: false),
        GSN2XInvocation(files: ["examples/modular/sub1.gsn.yaml"], passes: false),
        GSN2XInvocation(files: ["examples/modular/index.gsn.yaml", "examples/modular/sub1.gsn.yaml"], passes: false),
    ]

    @Test("the table parses into every invocation it lists")
    func tableIsComplete() throws {
        let rows = try Self.expectedTable()
        #expect(rows.count >= 45)
        #expect(rows.contains { $0.files == ["tests/issue84_4.yaml"] })
        #expect(rows.contains { $0.files == ["examples/template/template.gsn.yaml", "tests/inval4_instance.gsn.yaml"] && !$0.passes })
    }

    @Test("Warrant reaches gsn2x's verdict on every row of EXPECTED.md, and on the unlisted files",
          arguments: ((try? GSN2XCorpusTests.expectedTable()) ?? []) + GSN2XCorpusTests.unlisted)
    func verdict(_ invocation: GSN2XInvocation) throws {
        let paths = invocation.files.map { Self.corpus.appendingPathComponent($0).path }
        for path in paths {
            #expect(FileManager.default.fileExists(atPath: path), "missing corpus file \(path)")
        }
        let results = try CaseLoader().load(paths: paths, format: .auto)
        #expect(results.count == 1)
        let report = Checker.check(results[0], options: CheckOptions(level: .draft))
        if invocation.passes { #expect(report.isGSN2X) }
        let errors = report.findings.filter { $0.severity == .error }
        #expect(report.failed == !invocation.passes,
                "\(invocation.testDescription): \(errors.map { "\($0.rule) \($0.message)" })")
    }

    @Test("gsn2x types come from id prefixes, first match wins", arguments: [
        ("G1", "Goal"), ("CG1", "CounterGoal"), ("Sn1", "Solution"), ("CSn1", "CounterSolution"),
        ("S1", "Strategy"), ("C1", "Context"), ("CCSn1", "Context"), ("A1", "Assumption"), ("J1", "Justification"),
    ])
    func prefixes(id: String, type: String) {
        #expect(GSN2XReader.typeFromPrefix(id)?.1 == type)
    }

    @Test("a nodeType that contradicts the id's prefix is a warning (gsn2x V08); one that agrees is not", arguments: [
        ("G2", "Solution", true), ("Sn1", "Goal", true), ("G2", "Goal", false), ("X1", "Solution", false),
    ])
    func typeAgainstPrefix(id: String, nodeType: String, warns: Bool) throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("x.gsn.yaml", "G1:\n  text: a\n  supportedBy: [\(id)]\n\(id):\n  text: b\n  nodeType: \(nodeType)\n")
        let found = try check([path]).findings(Rules.typePrefix)
        #expect(found.count == (warns ? 1 : 0), "\(found)")
        if warns {
            #expect(found[0].severity == .warning)
            #expect(found[0].location?.line == 6)
            #expect(found[0].message.contains("has nodeType \(nodeType), but its id's prefix says"))
        }
    }

    @Test("an element without a known prefix or nodeType is an error")
    func unknownPrefix() throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("x.gsn.yaml", "G1:\n  text: a\n  supportedBy: [X1]\nX1:\n  text: b\n")
        let report = try check([path])
        #expect(report.findings(Rules.invalidValue).first?.message.contains("cannot tell the type") == true)
    }
}
