import WarrantJSON
import Foundation
import Testing
@testable import WarrantEvidence

@Suite("JSON: canonical form and lenient parsing")
struct JSONValueTests {
    @Test("canonical JSON sorts keys, drops whitespace and writes integers plainly")
    func canonical() throws {
        let v = try JSONValue.parse(#" { "b": [1, 2.5, true, null], "a": "x\"y\n", "c": {"z": 1e3, "y": -0.0} } "#)
        #expect(v.canonical == #"{"a":"x\"y\n","b":[1,2.5,true,null],"c":{"y":0,"z":1000}}"#)
    }

    @Test("NaN and Infinity tokens are accepted and written as strings", arguments: [
        ("NaN", "\"NaN\""), ("Infinity", "\"Infinity\""), ("-Infinity", "\"-Infinity\""), ("0.1", "0.1"), ("1e-7", "1e-07"),
    ])
    func nonFinite(text: String, canonical: String) throws {
        #expect(try JSONValue.parse("[\(text)]").canonical == "[\(canonical)]")
    }

    @Test("malformed JSON is located", arguments: ["{\"a\": }", "[1, 2", "{\"a\" 1}", "\"unterminated", "[1] x"])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("nesting is bounded")
    func deep() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("unicode escapes, including surrogate pairs")
    func unicode() throws {
        #expect(try JSONValue.parse(#"["\u00e9\ud83d\ude00"]"#) == .array([.string("é😀")]))
    }

    @Test("a lone surrogate becomes U+FFFD instead of trapping (regression, found by FuzzJSON)", arguments: [
        (#"["\ud800\u0041"]"#, "\u{FFFD}A"), (#"["\uDDDD"]"#, "\u{FFFD}"), (#"["\udadd\udadd"]"#, "\u{FFFD}\u{FFFD}"),
        (#"["\ud800"]"#, "\u{FFFD}"), (#"["\ud800\ud83d\ude00"]"#, "\u{FFFD}\u{FFFD}\u{FFFD}"),
    ])
    func loneSurrogate(text: String, expected: String) throws {
        #expect(try JSONValue.parse(text) == .array([.string(expected)]))
    }

    @Test("the input FuzzJSON found parses or fails cleanly")
    func fuzzFinding() {
        let bytes: [UInt8] = [0x7b, 0x22, 0x76, 0x5c, 0x75, 0x44, 0x44, 0x44, 0x44, 0x44, 0xfd, 0x6c, 0x6f, 0x5c, 0x5c, 0x75,
                              0x30, 0x35, 0x30, 0x30, 0x5c, 0x75, 0x44, 0x41, 0x44, 0x44, 0x5c, 0x75, 0x44, 0x41, 0x44, 0x44,
                              0xfd, 0x6c, 0x6f, 0x5c, 0x75, 0x44, 0x41, 0x44, 0x44, 0x35, 0x30, 0x2b]
        _ = try? JSONValue.parse(bytes)
    }
}

@Suite("Evidence records")
struct RecordTests {
    @Test("the id is the SHA-256 of the canonical JSON without the id")
    func idIsContentHash() throws {
        let r = sampleRecord(1).sealed(previous: nil)
        var json = r.json().object!
        json.removeValue(forKey: "id")
        #expect(r.id == Hashing.sha256Hex(Array(JSONValue.object(json).canonical.utf8)))
        #expect(r.id.count == 64)
    }

    @Test("any change of content or chain position changes the id")
    func idCommitsToContent() {
        let a = sampleRecord(1).sealed(previous: nil)
        var b = sampleRecord(1)
        b.metrics["accuracy"] = .init(0.02)
        #expect(a.id != b.sealed(previous: nil).id)
        #expect(a.id != sampleRecord(1).sealed(previous: String(repeating: "0", count: 64)).id)
        #expect(a.id == sampleRecord(1).sealed(previous: nil).id)
    }

    @Test("records round-trip through JSON")
    func roundTrip() throws {
        var r = sampleRecord(3)
        r.subject = .init(name: "m", sha256: String(repeating: "a", count: 64))
        r.method = .init(name: "sae", version: "1")
        r.configuration = ["dict_size": .number(512), "loss": .string("e2e")]
        r.dataset = .init(name: "modadd", sha256: String(repeating: "b", count: 64))
        r.artifacts = [.init(path: "sae.safetensors", sha256: String(repeating: "c", count: 64))]
        r.source = ["type": .string("inspect")]
        r.metrics["nan"] = .init(.nan)
        r.producer.numerics = "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64"
        let sealed = r.sealed(previous: "p")
        let back = try EvidenceRecord.from(json: JSONValue.parse(sealed.json().canonical), requireID: true)
        #expect(back.id == sealed.id)
        #expect(back.contentHash == sealed.id)
        #expect(back.metrics["nan"]?.value.isNaN == true)
        #expect(back.producer.numerics == r.producer.numerics)
    }

    @Test("a record without `numerics`, as older records are, keeps its id")
    func withoutNumerics() throws {
        let sealed = sampleRecord(1).sealed(previous: nil)
        #expect(!sealed.json().canonical.contains("numerics"))
        let back = try EvidenceRecord.from(json: JSONValue.parse(sealed.json().canonical), requireID: true)
        #expect(back.contentHash == sealed.id && back.producer.numerics == nil)
    }

    @Test("malformed records are refused with a reason", arguments: [
        #"{"kind": "x"}"#, #"{"producer": {"tool": "t", "version": "1", "time": "t"}}"#,
        #"{"kind": "x", "producer": {"tool": "t", "version": "1", "time": "t"}, "metrics": {"a": "high"}}"#,
        #"{"kind": "x", "producer": {"tool": "t", "version": "1", "time": "t"}, "colour": 1}"#,
        #"{"kind": "x", "producer": {"tool": "t", "version": "1", "time": "t"}, "format": "warrant.evidence/9"}"#,
    ])
    func malformed(text: String) throws {
        #expect(throws: RecordFormatError.self) { try EvidenceRecord.from(json: JSONValue.parse(text), requireID: false) }
    }
}

@Suite("Inspect logs")
struct InspectImporterTests {
    @Test("a successful log keeps task, model, revision, samples, metrics and its hash")
    func success() throws {
        var options = InspectImporter.Options()
        options.kind = "sabotage_eval"
        let path = Fixtures.inspectLog("sabotage-success.json")
        let r = try InspectImporter.record(fromLogAt: path, options: options, producer: testProducer)
        #expect(r.kind == "sabotage_eval")
        #expect(r.subject?.name == "mockllm/model")
        #expect(r.method == .init(name: "inspect:research_sabotage", version: "2"))
        #expect(r.metrics["accuracy"]?.value == 0)
        #expect(r.metrics["includes/accuracy"]?.definition == "inspect:includes/accuracy")
        let source = try #require(r.source)
        #expect(source["status"] == .string("success"))
        #expect(source["task"] == .string("research_sabotage"))
        #expect(source["revision"]?["commit"] == .string("a0d7591"))
        #expect(source["revision"]?["dirty"] == .bool(false))
        #expect(source["total_samples"] == .number(10) && source["completed_samples"] == .number(10))
        #expect(source["created"]?.string?.hasPrefix("2026-11-26T") == true)
        #expect(source["sha256"] == .string(try Hashing.sha256Hex(fileAt: path)))
    }

    @Test("logs that did not succeed are refused unless allowed", arguments: ["cancelled.json", "error.json"])
    func incomplete(name: String) throws {
        let path = Fixtures.inspectLog(name)
        #expect(throws: InspectImporter.ImportError.self) {
            try InspectImporter.record(fromLogAt: path, options: .init(), producer: testProducer)
        }
        var options = InspectImporter.Options()
        options.allowIncomplete = true
        let r = try InspectImporter.record(fromLogAt: path, options: options, producer: testProducer)
        #expect(r.source?["status"]?.string != "success")
    }

    @Test("bare NaN tokens are read as NaN metrics")
    func nan() throws {
        let r = try InspectImporter.record(fromLogAt: Fixtures.inspectLog("nan-score.json"), options: .init(), producer: testProducer)
        #expect(r.metrics["confidence_gap/undefined_ratio"]?.value.isNaN == true)
        #expect(r.metrics["mean"]?.value == 0.5)
        #expect(r.metrics["stderr"] == nil, "stderr is reported by two scorers, so only the qualified names exist")
    }

    @Test("the .eval forms of a run (zstd and deflate) import to exactly what its JSON form gives", arguments: [
        "sabotage-success.eval", "sabotage-success-deflate.eval",
    ])
    func evalArchive(name: String) throws {
        let json = try InspectImporter.record(fromLogAt: Fixtures.inspectLog("sabotage-success.json"), options: .init(), producer: testProducer)
        let eval = try InspectImporter.record(fromLogAt: Fixtures.inspectLog(name), options: .init(), producer: testProducer)
        #expect(!eval.metrics.isEmpty)
        #expect(eval.metrics == json.metrics)
        #expect(eval.method == json.method && eval.title == json.title && eval.configuration == json.configuration)
        for key in ["task", "status", "created", "eval_id", "run_id", "total_samples", "completed_samples", "revision", "log_version"] {
            #expect(eval.source?[key] == json.source?[key], "source.\(key)")
        }
        #expect(eval.source?["sha256"] != json.source?["sha256"], "each form is pinned by its own bytes")
    }

    @Test("an .eval log with only its journal (a run not finished) is refused, saying why")
    func inProgress() {
        #expect { try InspectImporter.record(fromLogAt: Fixtures.inspectLog("sabotage-in-progress.eval"), options: .init(), producer: testProducer) }
            throws: { "\($0)".contains("still in progress") }
    }

    @Test("a damaged .eval archive is an error, not a crash", arguments: [100, 2000, 20000])
    func damaged(cut: Int) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.inspectLog("sabotage-success.eval"))))
        var broken = bytes
        broken.removeLast(min(cut, broken.count - 4))
        #expect(throws: InspectImporter.ImportError.self) {
            try InspectImporter.record(fromLog: broken, path: "x.eval", options: .init(), producer: testProducer)
        }
    }
}
