import Foundation

/// The JSON form of `warrant check --format json`, described by
/// `schemas/check-output.schema.json`. Keys are sorted, so the same inputs give
/// the same bytes.
public struct CheckOutput: Codable, Sendable {
    public struct Location: Codable, Sendable {
        public var file: String
        public var line: Int
        public var column: Int
    }

    public struct Note: Codable, Sendable {
        public var message: String
        public var location: Location?
    }

    public struct FindingEntry: Codable, Sendable {
        public var rule: String
        public var name: String
        public var severity: Severity
        public var message: String
        public var hint: String?
        public var location: Location?
        public var notes: [Note]
        public var node: String?
    }

    public struct NodeEntry: Codable, Sendable {
        public var id: String
        public var type: NodeType
        public var status: NodeStatus
        public var location: Location
    }

    public struct Summary: Codable, Sendable {
        public var errors: Int
        public var warnings: Int
        public var infos: Int
    }

    /// The evidence store a result was judged against: its chain head as verified.
    public struct EvidenceStoreEntry: Codable, Sendable {
        public var store: String
        public var records: Int
        /// The last record's id; nil for an empty store.
        public var head: String?
        /// Whether the case pins a head (`policy.evidence_head`) and the chain extends it.
        public var pinned: Bool
        /// Records appended after the pinned head, which the verdict did not use.
        public var after_pin: Int
        public init(store: String, records: Int, head: String?, pinned: Bool, afterPin: Int = 0) {
            self.store = store; self.records = records; self.head = head; self.pinned = pinned; self.after_pin = afterPin
        }
    }

    public struct Result: Codable, Sendable {
        public var inputs: [String]
        /// `warrant` or `gsn2x`.
        public var format: String
        public var passed: Bool
        public var root: String?
        public var root_status: NodeStatus?
        public var summary: Summary
        public var findings: [FindingEntry]
        public var nodes: [NodeEntry]
        /// The store the evidence came from, when there is one.
        public var evidence: EvidenceStoreEntry?
    }

    /// Always `warrant.check`.
    public var kind: String = "warrant.check"
    /// Version of this output format.
    public var version: Int = 1
    public var level: GateLevel
    public var strict: Bool
    public var passed: Bool
    public var exit_code: Int
    public var results: [Result]

    /// - Parameter evidence: per report, the store it was judged against (or nil).
    public init(reports: [CheckReport], level: GateLevel, strict: Bool, exitCode: Int,
                evidence: [EvidenceStoreEntry?] = []) {
        self.level = level
        self.strict = strict
        self.exit_code = exitCode
        self.passed = exitCode == 0
        func loc(_ l: SourceLocation) -> Location { Location(file: l.file, line: l.line, column: l.column) }
        self.results = reports.enumerated().map { index, report in
            Result(
                inputs: report.inputs,
                format: report.isGSN2X ? "gsn2x" : "warrant",
                passed: !report.failed,
                root: report.root,
                root_status: report.rootStatus,
                summary: Summary(errors: report.count(.error), warnings: report.count(.warning), infos: report.count(.info)),
                findings: report.findings.map { f in
                    FindingEntry(rule: f.rule, name: Rules.find(f.rule)?.name ?? f.rule, severity: f.severity,
                                 message: f.message, hint: f.hint, location: f.location.map(loc),
                                 notes: f.notes.map { Note(message: $0.message, location: $0.location.map(loc)) },
                                 node: f.node)
                },
                nodes: report.statuses.map { NodeEntry(id: $0.id, type: $0.type, status: $0.status, location: loc($0.location)) },
                evidence: index < evidence.count ? evidence[index] : nil)
        }
    }

    /// Pretty-printed JSON with sorted keys.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
