import WarrantJSON
import Foundation
@testable import WarrantCore
@testable import WarrantEvidence

enum Fixtures {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let inspect = tests.appendingPathComponent("Fixtures/inspect")
    static func inspectLog(_ name: String) -> String { inspect.appendingPathComponent(name).path }
}

/// A scratch directory removed when dropped.
final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-evidence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }
}

let testProducer = EvidenceRecord.Producer(tool: "warrant-tests", version: "0", time: "2026-11-26T12:00:00Z")

func sampleRecord(_ n: Int, kind: String = "capability_eval") -> EvidenceRecord {
    var r = EvidenceRecord(kind: kind, producer: testProducer)
    r.title = "record \(n)"
    r.metrics["accuracy"] = .init(Double(n) / 100, interval: [0, 1], definition: "fraction correct")
    return r
}

/// Runs a command line tool and returns its exit status and output.
@discardableResult
func shell(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

func fileBytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }
