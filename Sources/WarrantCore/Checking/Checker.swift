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

/// Checks an argument's structure and rolls statuses up to the root.
///
/// Everything here is linear in the size of the case (plus sorting), and every
/// traversal is iterative, so a case of 100,000 nodes, or a chain that deep,
/// checks in well under a second.
public enum Checker {
    public static func check(_ loaded: LoadResult, options: CheckOptions = CheckOptions()) -> CheckReport {
        var run = CheckRun(loaded: loaded, options: options)
        run.checkAll()
        return run.report()
    }
}

struct CheckRun {
    let c: AssuranceCase
    let nodes: [ArgumentNode]
    let options: CheckOptions
    let gsn: Bool
    let loaded: LoadResult
    var findings: [Finding]

    // Resolved adjacency, by node index.
    var support: [[Int]]
    var context: [[Int]]
    var discharge: [[Int]]
    /// For each node, the defeaters challenging it or one of its support links.
    var challengers: [[Int]]
    var supportParents: [[Int]]
    var referenced: [Bool]
    /// Nodes with a `supported_by` or `discharged_by` entry that does not resolve.
    var incomplete: [Bool]
    /// Resolved `depends_on` of assumptions.
    var dependsOn: [[Int]]
    /// Assumptions whose waiver is complete and unexpired.
    var waived: [Bool]
    var statuses: [NodeStatus] = []
    var rootIndex: Int?

    init(loaded: LoadResult, options: CheckOptions) {
        self.loaded = loaded
        self.c = loaded.assuranceCase
        self.nodes = loaded.assuranceCase.nodes
        self.options = options
        self.gsn = loaded.assuranceCase.isGSN2X
        self.findings = loaded.findings
        let n = nodes.count
        support = Array(repeating: [], count: n)
        context = Array(repeating: [], count: n)
        discharge = Array(repeating: [], count: n)
        challengers = Array(repeating: [], count: n)
        supportParents = Array(repeating: [], count: n)
        referenced = Array(repeating: false, count: n)
        incomplete = Array(repeating: false, count: n)
        dependsOn = Array(repeating: [], count: n)
        waived = Array(repeating: false, count: n)
    }

    mutating func emit(_ rule: Rule, _ location: SourceLocation?, _ message: String,
                       hint: String? = nil, notes: [Finding.Note] = [], node: String? = nil,
                       severity: Severity? = nil) {
        findings.append(Finding(rule: rule.id, severity: severity ?? rule.severity(at: options.level),
                                location: location, message: message, hint: hint, notes: notes, node: node))
    }

    mutating func checkAll() {
        resolveReferences()
        checkRoots()
        checkCycles()
        checkReachability()
        checkDevelopment()
        checkDialectic()
        checkPlaceholders()
        resolveDependencies()
        checkWaivers()
        rollUpStatuses()
        checkAssumptions()
        checkSchemingRules()
        checkTemplateConformance()
    }

    func index(_ id: String) -> Int? { c.index[id] }

    func describe(_ node: ArgumentNode) -> String {
        let name: String
        if gsn {
            switch node.typeWritten {
            case "CounterGoal": name = "counter-goal"
            case "CounterSolution": name = "counter-solution"
            default: name = node.typeWritten.lowercased()
            }
        } else {
            name = node.type.rawValue
        }
        return "\(name) '\(node.id)'"
    }

    // MARK: References and link types

    mutating func unresolved(_ ref: Reference, from node: ArgumentNode, link: String, id: String? = nil) {
        let target = id ?? ref.target
        if c.brokenIDs.contains(target) { return }
        var message = "\(describe(node)) refers in `\(link)` to '\(target)', which is not defined"
        var hint: String?
        // A suggestion costs a scan of all ids; bound it for huge broken cases.
        if findings.count < 200, let s = Suggestions.nearest(to: target, in: c.index.keys) {
            message += "; did you mean '\(s)'?"
            hint = "change it to '\(s)'"
        } else if target.contains(",") {
            hint = "this looks like a list written as one id; write [A, B]"
        } else if !gsn {
            hint = "define it under `nodes:`, or add the file that defines it to `uses`"
        }
        emit(Rules.unresolvedReference, ref.location, message, hint: hint, node: node.id)
    }

    mutating func resolveReferences() {
        for (i, node) in nodes.enumerated() {
            // supported_by
            var seen = Set<String>()
            let supportKey = gsn ? "supportedBy" : "supported_by"
            for ref in node.supportedBy {
                if !seen.insert(ref.target).inserted {
                    emit(Rules.duplicateReference, ref.location, "\(describe(node)) lists '\(ref.target)' twice in `\(supportKey)`",
                         hint: "remove the second entry", node: node.id)
                    continue
                }
                guard let j = index(ref.target) else {
                    incomplete[i] = true
                    unresolved(ref, from: node, link: supportKey)
                    continue
                }
                referenced[j] = true
                if j == i {
                    incomplete[i] = true
                    emit(Rules.supportCycle, ref.location, "\(describe(node)) supports itself: \(node.id) -> \(node.id)",
                         hint: "remove '\(node.id)' from its own `\(supportKey)`", node: node.id)
                    continue
                }
                support[i].append(j)
                supportParents[j].append(i)
                checkSupportType(from: node, to: nodes[j], ref: ref, key: supportKey)
            }
            // in_context_of
            seen.removeAll()
            let contextKey = gsn ? "inContextOf" : "in_context_of"
            for ref in node.inContextOf {
                if !seen.insert(ref.target).inserted {
                    emit(Rules.duplicateReference, ref.location, "\(describe(node)) lists '\(ref.target)' twice in `\(contextKey)`",
                         hint: "remove the second entry", node: node.id)
                    continue
                }
                guard let j = index(ref.target) else { unresolved(ref, from: node, link: contextKey); continue }
                referenced[j] = true
                if j == i {
                    emit(Rules.selfReference, ref.location, "\(describe(node)) is in its own context",
                         node: node.id, severity: gsn ? .error : nil)
                    continue
                }
                context[i].append(j)
                let target = nodes[j]
                if !node.type.needsSupport || !target.type.isContextual {
                    emit(Rules.contextLinkType, ref.location,
                         "\(describe(node)) cannot have \(describe(target)) in its context: `\(contextKey)` goes from a claim or strategy to a context, assumption or justification",
                         hint: target.type.needsSupport || target.type == .evidence
                            ? "a \(target.type.rawValue) supports: move it to `\(supportKey)`" : nil,
                         node: node.id)
                }
            }
            // discharged_by
            seen.removeAll()
            if !node.dischargedBy.isEmpty && node.type != .assumption {
                emit(Rules.dischargeLink, node.dischargedBy[0].location,
                     "\(describe(node)) has `discharged_by`, but only assumptions are discharged", node: node.id)
            }
            for ref in node.dischargedBy {
                if !seen.insert(ref.target).inserted {
                    emit(Rules.duplicateReference, ref.location, "\(describe(node)) lists '\(ref.target)' twice in `discharged_by`",
                         hint: "remove the second entry", node: node.id)
                    continue
                }
                guard let j = index(ref.target) else {
                    incomplete[i] = true
                    unresolved(ref, from: node, link: "discharged_by")
                    continue
                }
                referenced[j] = true
                if j == i {
                    emit(Rules.selfReference, ref.location, "\(describe(node)) names itself in `discharged_by`", node: node.id)
                    continue
                }
                let target = nodes[j]
                guard target.type == .claim || target.type == .evidence else {
                    emit(Rules.dischargeLink, ref.location,
                         "\(describe(node)) is discharged by \(describe(target)); only claims and evidence discharge assumptions",
                         node: node.id)
                    continue
                }
                discharge[i].append(j)
            }
            // challenges
            checkChallenges(of: node, at: i)
            // gsn2x assurance claim points
            for ref in node.assuranceClaimPoints where ref.target != node.id {
                if !node.supportedBy.contains(where: { $0.target == ref.target && index($0.target) != nil })
                    && !node.inContextOf.contains(where: { $0.target == ref.target && index($0.target) != nil }) {
                    emit(Rules.claimPoint, ref.location,
                         "assurance claim point of '\(node.id)' refers to '\(ref.target)', which is neither '\(node.id)' nor one of its links",
                         node: node.id)
                }
            }
        }
    }

    mutating func checkSupportType(from node: ArgumentNode, to target: ArgumentNode, ref: Reference, key: String) {
        let from = node.type, to = target.type
        if to.isContextual {
            emit(Rules.unattachedContext, ref.location,
                 "\(describe(node)) is supported by \(describe(target)); a \(to.rawValue) is attached with `\(gsn ? "inContextOf" : "in_context_of")`",
                 hint: "move '\(target.id)' to `\(gsn ? "inContextOf" : "in_context_of")`", node: node.id)
            return
        }
        var allowed: Bool
        if gsn {
            switch from {
            case .claim, .strategy: allowed = true  // gsn2x: goal, strategy, solution and counter nodes
            case .defeater: allowed = node.typeWritten == "CounterGoal" && to == .defeater
            default: allowed = false
            }
        } else {
            switch from {
            case .claim: allowed = to == .claim || to == .strategy || to == .evidence
            case .strategy: allowed = to == .claim || to == .evidence
            case .defeater: allowed = true  // a defeater is argued like a claim
            default: allowed = false
            }
        }
        if !allowed {
            let why: String
            switch from {
            case .evidence: why = "evidence is a leaf and is never supported"
            case .context, .assumption, .justification:
                why = "a \(from.rawValue) is not argued for; \(from == .assumption ? "discharge it with `discharged_by`" : "it only scopes claims and strategies")"
            case .strategy: why = "a strategy is supported by the claims it decomposes into"
            default: why = "`\(key)` goes from a claim to claims, strategies or evidence"
            }
            emit(Rules.supportLinkType, ref.location, "\(describe(node)) cannot be supported by \(describe(target)): \(why)",
                 node: node.id)
        } else if from == .strategy && to == .evidence {
            emit(Rules.strategyToEvidence, ref.location,
                 "\(describe(node)) is supported directly by \(describe(target))",
                 hint: "add a claim between them that states what the evidence establishes", node: node.id)
        }
    }

    mutating func checkChallenges(of node: ArgumentNode, at i: Int) {
        if node.type != .defeater {
            if let first = node.challenges.first {
                emit(Rules.defeaterTarget, first.location,
                     "\(describe(node)) has `challenges`, but only defeaters\(gsn ? " (counter-goals and counter-solutions)" : "") challenge",
                     hint: gsn ? "use a CG or CSn id, or `nodeType: CounterGoal`" : "make it `type: defeater`", node: node.id)
            }
            return
        }
        if node.challenges.isEmpty {
            if !gsn {
                emit(Rules.defeaterTarget, node.location, "\(describe(node)) challenges nothing",
                     hint: "add `challenges:` naming the node (or `\"A -> B\"` link) it doubts", node: node.id)
            }
            return
        }
        for ref in node.challenges {
            if let linkTarget = ref.linkTarget {
                guard let a = index(ref.target) else { unresolved(ref, from: node, link: "challenges"); continue }
                guard let b = index(linkTarget) else { unresolved(ref, from: node, link: "challenges", id: linkTarget); continue }
                if a == b {
                    emit(Rules.defeaterTarget, ref.location, "\(describe(node)) challenges a link from '\(ref.target)' to itself",
                         node: node.id)
                    continue
                }
                let na = nodes[a], nb = nodes[b]
                let linked = na.supportedBy.contains { $0.target == nb.id } || na.inContextOf.contains { $0.target == nb.id }
                    || (gsn && (nb.supportedBy.contains { $0.target == na.id } || nb.inContextOf.contains { $0.target == na.id }
                        || nb.challenges.contains { $0.target == na.id && $0.linkTarget == nil }
                        || na.challenges.contains { $0.target == nb.id && $0.linkTarget == nil }))
                if !linked {
                    emit(Rules.defeaterTarget, ref.location,
                         "\(describe(node)) challenges the link '\(ref.written)', but '\(ref.target)' does not link to '\(linkTarget)'",
                         node: node.id)
                    continue
                }
                challengers[a].append(i)
            } else {
                guard let j = index(ref.target) else { unresolved(ref, from: node, link: "challenges"); continue }
                if j == i {
                    emit(Rules.defeaterTarget, ref.location, "\(describe(node)) challenges itself", node: node.id)
                    continue
                }
                if !gsn && nodes[j].type == .context {
                    emit(Rules.defeaterTarget, ref.location,
                         "\(describe(node)) challenges \(describe(nodes[j])), but a context is not asserted and cannot be challenged",
                         hint: "challenge the claim that relies on it, or turn the context into an assumption", node: node.id)
                    continue
                }
                challengers[j].append(i)
            }
        }
    }

    // MARK: Roots and reachability

    var rootCandidates: [Int] {
        (0..<nodes.count).filter { i in
            !referenced[i] && nodes[i].challenges.isEmpty && (gsn || nodes[i].type != .defeater)
        }
    }

    mutating func checkRoots() {
        guard !nodes.isEmpty else { return }
        let roots = rootCandidates
        if roots.isEmpty {
            emit(Rules.singleRoot, nodes[0].location,
                 "the argument has no root: every node is referred to by another one, so they all sit on cycles",
                 hint: "the top claim must be one that nothing else supports")
            return
        }
        if roots.count > 1 {
            let shown = roots.prefix(10).map { nodes[$0].id }.joined(separator: ", ") + (roots.count > 10 ? ", ..." : "")
            emit(Rules.singleRoot, nodes[roots[1]].location,
                 "the argument has \(roots.count) roots (nodes that nothing refers to): \(shown)",
                 hint: "connect them under the top claim, or remove the stray ones",
                 notes: roots.prefix(10).map { Finding.Note("'\(nodes[$0].id)' is not referred to", at: nodes[$0].location) },
                 severity: gsn ? .warning : nil)
            return
        }
        rootIndex = roots[0]
        let root = nodes[roots[0]]
        if root.type != .claim {
            emit(Rules.rootIsClaim, root.location, "the root of the argument is \(describe(root)); it must be a claim",
                 hint: "put a claim above it that states what the case establishes", node: root.id)
        }
    }

    mutating func checkReachability() {
        let roots = rootCandidates
        guard !roots.isEmpty else { return }
        var reached = [Bool](repeating: false, count: nodes.count)
        var stack = roots
        for r in roots { reached[r] = true }
        while let i = stack.popLast() {
            for j in support[i] + context[i] + discharge[i] + challengers[i] where !reached[j] {
                reached[j] = true
                stack.append(j)
            }
        }
        for i in 0..<nodes.count where !reached[i] {
            emit(Rules.unreachable, nodes[i].location,
                 "\(describe(nodes[i])) cannot be reached from the root",
                 hint: "link it into the argument, or remove it", node: nodes[i].id)
        }
    }

    // MARK: Cycles

    /// Tarjan's strongly connected components over `supported_by`, iteratively.
    mutating func checkCycles() {
        let n = nodes.count
        var indexOf = [Int](repeating: -1, count: n)
        var low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var sccStack: [Int] = []
        var counter = 0
        var components: [[Int]] = []
        for start in 0..<n where indexOf[start] < 0 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indexOf[start] = counter; low[start] = counter; counter += 1
            sccStack.append(start); onStack[start] = true
            while let (v, e) = work.last {
                if e < support[v].count {
                    work[work.count - 1].edge += 1
                    let w = support[v][e]
                    if indexOf[w] < 0 {
                        indexOf[w] = counter; low[w] = counter; counter += 1
                        sccStack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], indexOf[w])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                    if low[v] == indexOf[v] {
                        var component: [Int] = []
                        while let w = sccStack.popLast() {
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        if component.count > 1 { components.append(component) }
                    }
                }
            }
        }
        for component in components {
            let cycle = cyclePath(in: Set(component), from: component.min()!)
            let ids = (cycle + [cycle[0]]).map { nodes[$0].id }
            var notes: [Finding.Note] = []
            for (k, a) in cycle.enumerated() {
                let b = cycle[(k + 1) % cycle.count]
                if let ref = nodes[a].supportedBy.first(where: { $0.target == nodes[b].id }) {
                    notes.append(Finding.Note("'\(nodes[a].id)' is supported by '\(nodes[b].id)'", at: ref.location))
                }
            }
            emit(Rules.supportCycle, notes.first?.location ?? nodes[cycle[0]].location,
                 "`supported_by` links form a cycle: \(ids.joined(separator: " -> "))",
                 hint: "break the cycle by removing one of these links", notes: notes, node: nodes[cycle[0]].id)
        }
    }

    /// A shortest cycle through `start` within a strongly connected component (BFS).
    func cyclePath(in component: Set<Int>, from start: Int) -> [Int] {
        var previous: [Int: Int] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for w in support[v] where component.contains(w) {
                if w == start {
                    var path = [v]
                    var x = v
                    while x != start, let p = previous[x] { path.append(p); x = p }
                    return path.reversed()
                }
                if previous[w] == nil { previous[w] = v; queue.append(w) }
            }
        }
        return [start]
    }

    // MARK: Development

    mutating func checkDevelopment() {
        for node in nodes {
            if node.undeveloped && !node.supportedBy.isEmpty {
                emit(Rules.undevelopedWithSupport, node.supportedBy[0].location,
                     "\(describe(node)) is marked undeveloped but has support",
                     hint: "remove `undeveloped: true`, or the support", node: node.id)
            }
            guard node.type.needsSupport else { continue }
            if node.supportedBy.isEmpty {
                if node.undeveloped {
                    emit(Rules.markedUndeveloped, node.location, "\(describe(node)) is undeveloped", node: node.id)
                } else {
                    emit(Rules.undevelopedLeaf, node.location,
                         "\(describe(node)) has no support and is not marked undeveloped",
                         hint: "add `\(gsn ? "supportedBy" : "supported_by")`, or `undeveloped: true` if it is left for later",
                         node: node.id, severity: gsn ? .warning : nil)
                }
            }
        }
        // A claim or strategy is developed when some chain of support below it ends in evidence.
        let developed = evaluatePostOrder(count: nodes.count, dependencies: { support[$0] }) { i, deps -> Bool in
            let node = nodes[i]
            switch node.type {
            case .evidence: return true
            case .claim, .strategy, .defeater:
                return !node.undeveloped && deps.contains { $0 == true }
            default: return false
            }
        }
        func stuck(_ i: Int) -> Bool {
            let node = nodes[i]
            return node.type.needsSupport && !node.undeveloped && !support[i].isEmpty && developed[i] != true
        }
        for i in 0..<nodes.count where stuck(i) && !supportParents[i].contains(where: stuck) {
            emit(Rules.transitivelyUndeveloped, nodes[i].location,
                 "\(describe(nodes[i])) is not developed: everything below it ends in undeveloped claims or strategies, with no evidence",
                 node: nodes[i].id)
        }
    }

    // MARK: Defeated marks (gsn2x dialectic)

    mutating func checkDialectic() {
        for node in nodes {
            if node.markedDefeated {
                let challenged = nodes.indices.contains { k in
                    nodes[k].challenges.contains { $0.target == node.id && $0.linkTarget == nil }
                }
                if !challenged {
                    emit(Rules.defeatedMark, node.location, "\(describe(node)) is marked defeated, but no defeater challenges it",
                         hint: "add a counter-goal or counter-solution with `challenges: \(node.id)`", node: node.id)
                }
            }
            for ref in node.defeatedRelations {
                let ok = node.supportedBy.contains { $0.target == ref.target } || node.inContextOf.contains { $0.target == ref.target }
                    || node.challenges.contains { $0.target == ref.target && $0.linkTarget == nil }
                if !ok {
                    emit(Rules.defeatedMark, ref.location,
                         "\(describe(node)) marks its relation to '\(ref.target)' defeated, but it has no such relation", node: node.id)
                }
            }
        }
    }

    // MARK: Placeholders

    mutating func checkPlaceholders() {
        var strings: [(LocatedString, String?)] = []
        if let header = c.header {
            if let t = header.title { strings.append((t, nil)) }
            if let t = header.id { strings.append((t, nil)) }
        }
        for node in nodes {
            for s in node.strings { strings.append((s, node.id)) }
        }
        for (s, id) in strings {
            let names = PlaceholderScanner.names(in: s.value)
            guard !names.isEmpty else { continue }
            let list = names.map { "{\($0)}" }.joined(separator: ", ")
            emit(Rules.placeholder, s.location,
                 "template placeholder\(names.count > 1 ? "s" : "") \(list) left unfilled",
                 hint: "replace \(names.count > 1 ? "them" : "it") with the real value", node: id)
        }
    }

    // MARK: Statuses

    mutating func rollUpStatuses() {
        let n = nodes.count
        let assumptionContext = context.map { $0.filter { nodes[$0].type == .assumption } }
        let deps: [[Int]] = (0..<n).map { i in support[i] + assumptionContext[i] + discharge[i] + challengers[i] }
        let values = evaluatePostOrder(count: n, dependencies: { deps[$0] }) { i, values -> NodeStatus in
            let node = nodes[i]
            if node.markedDefeated { return .defeated }
            let s = support[i].count, a = assumptionContext[i].count, d = discharge[i].count
            func value(_ k: Int) -> NodeStatus { values[k] ?? .open }
            // A sustained defeater defeats; an open one leaves the target open; a refuted one does nothing.
            var challenge = NodeStatus.supported
            for k in (s + a + d)..<values.count {
                switch value(k) {
                case .supported: challenge = .defeated
                case .open: if challenge == .supported { challenge = .open }
                case .defeated: break
                }
            }
            let base: NodeStatus
            switch node.type {
            case .evidence:
                base = options.evidenceStatus(node)
            case .context, .justification:
                base = .supported
            case .assumption:
                // Discharged when everything its `discharged_by` names is supported; a valid
                // waiver accepts it as residual risk.
                let named = (s + a..<s + a + d).map(value)
                if waived[i] {
                    base = .supported
                } else if node.dischargedBy.isEmpty {
                    base = .open
                } else {
                    base = NodeStatus.all(incomplete[i] ? [NodeStatus.open] + named : named)
                }
            case .claim, .strategy, .defeater:
                let assumptions = NodeStatus.all((s..<(s + a)).map(value))
                if node.undeveloped || node.supportedBy.isEmpty {
                    base = NodeStatus.all([NodeStatus.open, assumptions])
                } else if let k = node.scheming.choiceMin {
                    // k of the alternatives suffice.
                    let children = (0..<s).map(value)
                    let supported = children.filter { $0 == .supported }.count
                    let viable = children.filter { $0 != .defeated }.count
                    let own: NodeStatus = supported >= k ? .supported : (viable < k ? .defeated : .open)
                    base = NodeStatus.all([own, assumptions])
                } else {
                    base = NodeStatus.all((0..<(s + a)).map(value) + (incomplete[i] ? [.open] : []))
                }
            }
            return NodeStatus.all([base, challenge])
        }
        statuses = values.map { $0 ?? .open }
        guard let r = rootIndex else { return }
        let rootStatus = statuses[r]
        if rootStatus != .supported {
            reportRootStatus(r, rootStatus)
        }
    }

    /// Explains an open or defeated root by the nodes where the problem starts.
    mutating func reportRootStatus(_ r: Int, _ status: NodeStatus) {
        var reached = [Bool](repeating: false, count: nodes.count)
        var stack = [r]
        reached[r] = true
        var frontier: [(index: Int, reason: String)] = []
        while let i = stack.popLast() {
            let node = nodes[i]
            switch node.type {
            case .evidence where statuses[i] == .open:
                frontier.append((i, "evidence without a passing record"))
            case .evidence where statuses[i] == .defeated:
                frontier.append((i, "failing or tampered evidence"))
            case .assumption where node.dischargedBy.isEmpty:
                frontier.append((i, "assumption not discharged"))
            case .defeater where statuses[i] == .supported:
                frontier.append((i, "sustained defeater"))
            case .defeater where node.supportedBy.isEmpty:
                frontier.append((i, "open defeater"))
            case .claim where node.undeveloped || node.supportedBy.isEmpty,
                 .strategy where node.undeveloped || node.supportedBy.isEmpty:
                frontier.append((i, "undeveloped claim or strategy"))
            default:
                if node.markedDefeated { frontier.append((i, "node marked defeated")) }
            }
            let assumptions = context[i].filter { nodes[$0].type == .assumption }
            for j in support[i] + assumptions + discharge[i] where !reached[j] && statuses[j] != .supported {
                reached[j] = true
                stack.append(j)
            }
            // A challenger matters while it is not refuted.
            for j in challengers[i] where !reached[j] && statuses[j] != .defeated {
                reached[j] = true
                stack.append(j)
            }
        }
        frontier.sort { $0.index < $1.index }
        var counts: [String: Int] = [:]
        for f in frontier { counts[f.reason, default: 0] += 1 }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        var notes = frontier.prefix(8).map { f in
            Finding.Note("\(describe(nodes[f.index])) is \(statuses[f.index] == .supported ? "sustained" : statuses[f.index].rawValue)",
                         at: nodes[f.index].location)
        }
        if frontier.count > 8 { notes.append(Finding.Note("and \(frontier.count - 8) more")) }
        emit(Rules.rootNotSupported, nodes[r].location,
             "the root \(describe(nodes[r])) is \(status.rawValue)" + (summary.isEmpty ? "" : ": \(summary)"),
             hint: options.level == .release ? "a release needs a supported root" : nil,
             notes: notes, node: nodes[r].id)
    }

    func report() -> CheckReport {
        var sorted = findings
        sorted.sort { a, b in
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
        return CheckReport(
            level: options.level, strict: options.strict, findings: sorted,
            root: rootIndex.map { nodes[$0].id },
            statuses: nodes.indices.map { (nodes[$0].id, nodes[$0].type, statuses.isEmpty ? .open : statuses[$0], nodes[$0].location) },
            inputs: loaded.inputs, isGSN2X: gsn, assumptions: assumptionLedger())
    }
}

/// Finds `{name}` template placeholders left in texts.
enum PlaceholderScanner {
    /// Names of `{name}` placeholders in a string (identifier characters only).
    static func names(in text: String) -> [String] {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return [] }
        var names: [String] = []
        var current: String?
        for ch in text.unicodeScalars {
            if ch == "{" {
                current = ""
            } else if ch == "}" {
                if let name = current, !name.isEmpty, !names.contains(name) { names.append(name) }
                current = nil
            } else if current != nil {
                if (ch.properties.isAlphabetic || ch == "_" || ch == "-" || ("0"..."9").contains(ch)) {
                    current!.unicodeScalars.append(ch)
                } else {
                    current = nil
                }
            }
        }
        return names
    }
}
