/// The findings of one check as the rules add them, each given the severity its rule
/// has at the check's gate level.
public struct FindingList: Sendable {
    /// The gate level that decides each rule's severity.
    public let level: GateLevel
    /// Every finding so far, in the order added.
    public private(set) var findings: [Finding]

    public init(level: GateLevel, findings: [Finding] = []) {
        self.level = level
        self.findings = findings
    }

    public var count: Int { findings.count }

    /// Adds a finding of `rule` at its severity for this level (or `severity`, for the
    /// few rules whose severity depends on the input format).
    public mutating func emit(_ rule: Rule, _ location: SourceLocation?, _ message: String,
                              hint: String? = nil, notes: [Finding.Note] = [], node: String? = nil,
                              severity: Severity? = nil) {
        findings.append(Finding(rule: rule.id, severity: severity ?? rule.severity(at: level),
                                location: location, message: message, hint: hint, notes: notes, node: node))
    }

    /// The findings in source order (then by rule and message), as a report lists them.
    public func sorted() -> [Finding] {
        findings.sorted { a, b in
            switch (a.location, b.location) {
            case let (x?, y?):
                if x != y { return x < y }
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil): break
            }
            if a.rule != b.rule { return a.rule < b.rule }
            return a.message < b.message
        }
    }
}
