import Foundation
import Testing
@testable import WarrantCore
@testable import WarrantEvidence

@Suite("Requirements on interval bounds")
struct RequirementBoundTests {
    func record() -> EvidenceRecord {
        var r = EvidenceRecord(kind: "interpretability.sae", producer: testProducer)
        r.metrics["kl"] = .init(0.03, interval: [0.02, 0.06], definition: "kl.mean")
        r.metrics["l0"] = .init(12)
        r.metrics["odd.upper"] = .init(5)
        return r
    }

    @Test("NAME.upper and NAME.lower read a metric's interval; a metric of that exact name wins", arguments: [
        ("kl", EvidenceRecord.RequirementValue.value(0.03, definition: "kl.mean")),
        ("kl.upper", .value(0.06, definition: "the upper end of the interval of kl (kl.mean)")),
        ("kl.lower", .value(0.02, definition: "the lower end of the interval of kl (kl.mean)")),
        ("odd.upper", .value(5, definition: nil)),
        ("l0.upper", .noInterval(metric: "l0")),
        ("ce.upper", .noMetric(known: ["kl", "l0", "odd.upper"])),
    ])
    func values(name: String, expected: EvidenceRecord.RequirementValue) {
        #expect(record().requirementValue(name) == expected)
    }

    @Test("a gate can be conservative: the value passes, its upper bound does not", arguments: [
        ("kl <= 0.05", false), ("kl.upper <= 0.05", true), ("kl.upper <= 0.1", false), ("l0.upper <= 20", true),
    ])
    func gate(requirement: String, fails: Bool) throws {
        let dir = try Scratch()
        try dir.write("model.bin", "weights v1")
        let store = try EvidenceStore(path: dir.path(".warrant/evidence.sqlite"), create: true)
        var r = record()
        r.subject = .init(sha256: try Hashing.sha256Hex(fileAt: dir.path("model.bin")))
        let stored = try store.append(r)
        let path = try dir.write("case.yaml", """
        warrant: 1
        case:
          id: t
          system: { model: { path: model.bin } }
        nodes:
          G1: { type: claim, text: a, supported_by: [E1] }
          E1:
            type: evidence
            text: b
            record: \(stored.id.prefix(12))
            accept_asserted: "a unit test"
            require: ["\(requirement)"]
        """)
        let loaded = try CaseLoader().load(paths: [path])[0]
        let a = try EvidenceAssessor(store: store, level: .release).assess(loaded)
        let failing = a.findings.filter { $0.rule == Rules.evidenceFailing.id }
        #expect(failing.isEmpty == !fails, "\(a.findings)")
        if requirement.hasPrefix("l0.upper") { #expect(failing.first?.message.contains("l0 has no interval") == true) }
    }
}
