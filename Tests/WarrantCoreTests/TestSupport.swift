import Foundation
@testable import WarrantCore

/// Paths of the repository and the fixtures, found from this file's location.
enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = tests.appendingPathComponent("Fixtures")
    static let repository = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let examples = repository.appendingPathComponent("examples")
}

/// A scratch directory removed when the value is dropped.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("warrant-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

/// Loads and checks files, returning the single report.
func check(_ paths: [String], level: GateLevel = .draft, format: InputFormat = .auto,
           passing: Set<String> = []) throws -> CheckReport {
    let results = try CaseLoader().load(paths: paths, format: format)
    precondition(results.count == 1, "expected one argument, got \(results.count)")
    let options = CheckOptions(level: level, evidenceStatus: { passing.contains($0.id) ? .supported : .open })
    return Checker.check(results[0], options: options)
}

/// Composes YAML text from memory.
func compose(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> ComposedYAML {
    try YAMLComposer.compose(bytes: Array(text.utf8), file: "t.yaml", limits: limits)
}

extension CheckReport {
    func findings(_ rule: Rule) -> [Finding] { findings.filter { $0.rule == rule.id } }
    func status(of id: String) -> NodeStatus? { statuses.first { $0.id == id }?.status }
}

/// The 1-based line and column of the first occurrence of `needle` in `text`.
func position(of needle: String, in text: String, occurrence: Int = 1) -> (line: Int, column: Int)? {
    var count = 0
    for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if let r = line.range(of: needle) {
            count += 1
            if count == occurrence {
                return (k + 1, line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: r.lowerBound) + 1)
            }
        }
    }
    return nil
}
