/// What a check is asked to do.
public struct CheckOptions: Sendable {
    /// The gate level: which findings are errors.
    public var level: GateLevel
    /// Whether warnings fail the check too.
    public var strict: Bool
    /// The status of an evidence node's evidence. Until an evidence store is
    /// consulted, evidence is open: nothing shows that it passes.
    public var evidenceStatus: @Sendable (ArgumentNode) -> NodeStatus
    /// Today, `YYYY-MM-DD`, for waiver expiry.
    public var today: String

    public init(level: GateLevel = .draft, strict: Bool = false,
                evidenceStatus: @escaping @Sendable (ArgumentNode) -> NodeStatus = { _ in .open },
                today: String = Clock.today()) {
        self.level = level
        self.strict = strict
        self.evidenceStatus = evidenceStatus
        self.today = today
    }
}

/// The outcome of checking one argument.
public struct CheckReport: Sendable {
    public var level: GateLevel
    public var strict: Bool
    /// Every finding, in source order.
    public var findings: [Finding]
    /// The root node's id, when there is exactly one root.
    public var root: String?
    /// Each node's rolled-up status, in the order the nodes were written.
    public var statuses: [(id: String, type: NodeType, status: NodeStatus, location: SourceLocation)]
    public var inputs: [String]
    public var isGSN2X: Bool
    /// Every assumption with its status, in the order written (the assumption ledger).
    public var assumptions: [AssumptionEntry] = []
    /// The argument as a graph, as the rules saw it: the report reads legs and subtrees from it.
    public var graph: ArgumentGraph

    public func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    /// Whether the check fails: an error, or with `strict` a warning.
    public var failed: Bool {
        findings.contains { $0.severity == .error || (strict && $0.severity == .warning) }
    }

    public var rootStatus: NodeStatus? {
        guard let root else { return nil }
        return statuses.first { $0.id == root }?.status
    }
}

/// Checks an argument: resolves it into an ``ArgumentGraph``, runs every rule over the
/// graph, and rolls statuses up to the root.
///
/// The rules are small functions over the graph, grouped by family (``StructureRules``,
/// ``AssumptionRules``, ``SchemingRules``, ``StatusRules``); the only order between them
/// is what each needs: statuses need the waivers in force, and the rules about open
/// assumptions and the root need the statuses. Findings are reported in source order.
public enum Checker {
    public static func check(_ loaded: LoadResult, options: CheckOptions = CheckOptions()) -> CheckReport {
        let c = loaded.assuranceCase
        var findings = FindingList(level: options.level, findings: loaded.findings)
        let graph = ArgumentGraph.resolve(c, into: &findings)

        StructureRules.roots(graph, into: &findings)
        StructureRules.supportCycles(graph, into: &findings)
        StructureRules.reachability(graph, into: &findings)
        StructureRules.development(graph, into: &findings)
        StructureRules.defeatedMarks(graph, into: &findings)
        StructureRules.placeholders(graph, header: c.header, into: &findings)

        let waived = AssumptionRules.waivers(graph, today: options.today, into: &findings)
        let statuses = StatusRollUp.statuses(graph, waived: waived, evidenceStatus: options.evidenceStatus)
        StatusRules.rootNotSupported(graph, statuses: statuses, into: &findings)
        AssumptionRules.openAtRelease(graph, statuses: statuses, waived: waived, into: &findings)
        AssumptionRules.circularDischarge(graph, into: &findings)
        SchemingRules.all(graph, into: &findings)
        AssumptionRules.templateConformance(graph, header: c.header, into: &findings)

        let nodes = graph.nodes
        return CheckReport(
            level: options.level, strict: options.strict, findings: findings.sorted(),
            root: graph.root.map { nodes[$0].id },
            statuses: nodes.indices.map { (nodes[$0].id, nodes[$0].type, statuses[$0], nodes[$0].location) },
            inputs: loaded.inputs, isGSN2X: graph.isGSN2X,
            assumptions: AssumptionEntry.ledger(graph, statuses: statuses, waived: waived, today: options.today),
            graph: graph)
    }
}

/// Finds `{name}` template placeholders left in texts: a name of letters, digits, `_`
/// and `-` between braces. `warrant init` fills them and `check` reports leftovers (S16).
public enum PlaceholderScanner {
    /// Names of the placeholders in a string, each once, in the order they first appear.
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        for name in occurrences(in: text) where !names.contains(name) { names.append(name) }
        return names
    }

    /// Every placeholder occurrence in a string, repeats included.
    public static func occurrences(in text: String) -> [String] {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return [] }
        var names: [String] = []
        var current: String?
        for ch in text.unicodeScalars {
            if ch == "{" {
                current = ""
            } else if ch == "}" {
                if let name = current, !name.isEmpty { names.append(name) }
                current = nil
            } else if current != nil {
                if (ch.properties.isAlphabetic || ch == "_" || ch == "-" || ("0"..."9").contains(ch)) {
                    current?.unicodeScalars.append(ch)
                } else {
                    current = nil
                }
            }
        }
        return names
    }
}
