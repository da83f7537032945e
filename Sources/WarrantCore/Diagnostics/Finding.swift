/// How serious a finding is.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// How much a check demands. Each level adds to the one before:
/// `draft` checks structure; `review` adds evidence linkage; `release` demands
/// everything (a supported root, no leftover placeholders, no open blocking assumption).
public enum GateLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case draft, review, release

    private var rank: Int {
        switch self {
        case .draft: return 0
        case .review: return 1
        case .release: return 2
        }
    }

    public static func < (lhs: GateLevel, rhs: GateLevel) -> Bool { lhs.rank < rhs.rank }
}

/// One thing the checker has to say about a case, at a place in its source.
public struct Finding: Sendable, Codable, Hashable {
    /// A further place that belongs to the finding (the first of two duplicate keys,
    /// the next node of a cycle).
    public struct Note: Sendable, Codable, Hashable {
        public var message: String
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    /// The stable rule id, e.g. `S06`.
    public var rule: String
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// What to do about it, when there is something useful to say.
    public var hint: String?
    public var notes: [Note]
    /// The node the finding is about, if any.
    public var node: String?

    public init(rule: String, severity: Severity, location: SourceLocation?, message: String,
                hint: String? = nil, notes: [Note] = [], node: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
        self.notes = notes
        self.node = node
    }
}
