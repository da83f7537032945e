/// An argument as a graph: every link resolved to node indices once, with the structure
/// every rule and the report read from it (the root, support cycles, reachability, legs).
///
/// Indices are positions in `nodes`, the order the nodes were written. A link that does
/// not resolve, names its own node, repeats an entry or joins the wrong kinds of node is
/// left out of the edges (resolving reports why; see ``resolve(_:into:)``), so the
/// algorithms here only ever see links that mean something.
///
/// Everything is linear in the size of the argument, and every traversal is iterative,
/// so a case of 100,000 nodes, or a chain that deep, is cheap.
public struct ArgumentGraph: Sendable {
    /// The kinds of edge a traversal may follow.
    public struct Edges: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// `supported_by`, from a node to its supporters.
        public static let support = Edges(rawValue: 1 << 0)
        /// `in_context_of`, from a claim or strategy to its context, assumptions and justifications.
        public static let context = Edges(rawValue: 1 << 1)
        /// `discharged_by`, from an assumption to the claims and evidence that discharge it.
        public static let discharge = Edges(rawValue: 1 << 2)
        /// From a node to the defeaters that challenge it or one of its links.
        public static let challengers = Edges(rawValue: 1 << 3)
        /// `depends_on`, from an assumption to the claims it presupposes.
        public static let dependsOn = Edges(rawValue: 1 << 4)
        /// From a node to the nodes it supports (`supported_by` reversed).
        public static let supportParents = Edges(rawValue: 1 << 5)
        /// Everything that makes a node part of the argument below it.
        public static let argument: Edges = [.support, .context, .discharge, .challengers]
    }

    public let nodes: [ArgumentNode]
    /// Whether the argument came from gsn2x files (node kinds are named as gsn2x names them).
    public let isGSN2X: Bool
    /// Resolved `supported_by`, in the order written.
    public internal(set) var support: [[Int]]
    /// The nodes each node supports.
    public internal(set) var supportParents: [[Int]]
    /// Resolved `in_context_of`.
    public internal(set) var context: [[Int]]
    /// Resolved `discharged_by` of assumptions (claims and evidence only).
    public internal(set) var discharge: [[Int]]
    /// For each node, the defeaters challenging it or one of its support links.
    public internal(set) var challengers: [[Int]]
    /// Resolved `depends_on` of assumptions (claims only).
    public internal(set) var dependsOn: [[Int]]
    /// Whether some link names the node (so that it is not a root).
    public internal(set) var referenced: [Bool]
    /// Whether only a `discharged_by` names the node. Such a node is not a root either,
    /// unless that leaves no root at all: an assumption discharged by the root claim is a
    /// circular discharge (A05), not a case without a root.
    var referencedByDischargeOnly: [Bool] = []
    /// Nodes with a `supported_by` or `discharged_by` entry that names no node (or the node
    /// itself): their support is incomplete, so they cannot be supported.
    public internal(set) var incomplete: [Bool]

    /// Nodes that nothing refers to and that challenge nothing: the root, when there is one.
    public private(set) var rootCandidates: [Int] = []
    /// The root, when exactly one node is a root candidate.
    public var root: Int? { rootCandidates.count == 1 ? rootCandidates[0] : nil }
    /// Strongly connected components of `supported_by` with more than one node, in the
    /// order Tarjan's algorithm completes them.
    public private(set) var supportCycles: [[Int]] = []
    /// The legs, each leg's top claim (see ``legs``).
    public private(set) var familyLegs: [Int] = []

    /// Resolves the argument's links, discarding what resolving has to say about them
    /// (the report and tests use this; checking uses ``resolve(_:into:)``).
    public init(_ assuranceCase: AssuranceCase) {
        var ignored = FindingList(level: .draft)
        self = Self.resolve(assuranceCase, into: &ignored)
    }

    init(nodes: [ArgumentNode], isGSN2X: Bool) {
        self.nodes = nodes
        self.isGSN2X = isGSN2X
        let n = nodes.count
        support = Array(repeating: [], count: n)
        supportParents = Array(repeating: [], count: n)
        context = Array(repeating: [], count: n)
        discharge = Array(repeating: [], count: n)
        challengers = Array(repeating: [], count: n)
        dependsOn = Array(repeating: [], count: n)
        referenced = Array(repeating: false, count: n)
        referencedByDischargeOnly = Array(repeating: false, count: n)
        incomplete = Array(repeating: false, count: n)
    }

    /// Derives the structure that depends only on the resolved edges.
    mutating func finish() {
        func candidates(countingDischarge: Bool) -> [Int] {
            nodes.indices.filter { i in
                let named = referenced[i] && (countingDischarge || !referencedByDischargeOnly[i])
                return !named && nodes[i].challenges.isEmpty && (isGSN2X || nodes[i].type != .defeater)
            }
        }
        rootCandidates = candidates(countingDischarge: true)
        if rootCandidates.isEmpty { rootCandidates = candidates(countingDischarge: false) }
        supportCycles = Self.stronglyConnectedComponents(support).filter { $0.count > 1 }
        familyLegs = findFamilyLegs()
    }

    // MARK: Naming

    /// How messages name a node: its kind and id, e.g. `claim 'G1'` or, for gsn2x, `goal 'G1'`.
    public func describe(_ i: Int) -> String { describe(nodes[i]) }

    public func describe(_ node: ArgumentNode) -> String {
        let name: String
        if isGSN2X {
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

    // MARK: Traversal

    /// The neighbours of `i` along the given kinds of edge, in a fixed order (support,
    /// context, discharge, challengers, dependencies, parents).
    public func neighbours(of i: Int, via edges: Edges) -> [Int] {
        var out: [Int] = []
        if edges.contains(.support) { out += support[i] }
        if edges.contains(.context) { out += context[i] }
        if edges.contains(.discharge) { out += discharge[i] }
        if edges.contains(.challengers) { out += challengers[i] }
        if edges.contains(.dependsOn) { out += dependsOn[i] }
        if edges.contains(.supportParents) { out += supportParents[i] }
        return out
    }

    /// Which nodes can be reached from `starts` (included) along the given edges.
    public func reachable(from starts: [Int], via edges: Edges) -> [Bool] {
        var reached = [Bool](repeating: false, count: nodes.count)
        var stack = starts
        for s in starts { reached[s] = true }
        while let i = stack.popLast() {
            for j in neighbours(of: i, via: edges) where !reached[j] {
                reached[j] = true
                stack.append(j)
            }
        }
        return reached
    }

    /// The nodes reachable from `start` (included), in depth-first pre-order following
    /// links in the order written.
    public func preorder(from start: Int, via edges: Edges) -> [Int] {
        var seen = [Bool](repeating: false, count: nodes.count)
        var order: [Int] = []
        var stack = [start]
        while let i = stack.popLast() {
            guard !seen[i] else { continue }
            seen[i] = true
            order.append(i)
            for j in neighbours(of: i, via: edges).reversed() where !seen[j] { stack.append(j) }
        }
        return order
    }

    /// Everything in the argument the root reaches, or every node when there is no single root.
    public var inArgument: [Bool] {
        guard let r = root else { return [Bool](repeating: true, count: nodes.count) }
        return reachable(from: [r], via: Edges.argument.union(.dependsOn))
    }

    // MARK: Cycles

    /// Tarjan's strongly connected components over `edges` (an adjacency list by index),
    /// iteratively; every component, singletons included, in the order completed.
    public static func stronglyConnectedComponents(_ edges: [[Int]]) -> [[Int]] {
        let n = edges.count
        var indexOf = [Int](repeating: -1, count: n), low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = [], result: [[Int]] = []
        var counter = 0
        for start in 0..<n where indexOf[start] < 0 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indexOf[start] = counter; low[start] = counter; counter += 1
            stack.append(start); onStack[start] = true
            while let (v, e) = work.last {
                if e < edges[v].count {
                    work[work.count - 1].edge += 1
                    let w = edges[v][e]
                    if indexOf[w] < 0 {
                        indexOf[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], indexOf[w])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                    if low[v] == indexOf[v] {
                        var component: [Int] = []
                        while let w = stack.popLast() {
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        result.append(component)
                    }
                }
            }
        }
        return result
    }

    /// A shortest cycle through `start` whose nodes all lie in `members` (breadth-first),
    /// as the nodes in order from `start`; `[start]` alone when there is none.
    public static func shortestCycle(from start: Int, within members: Set<Int>, edges: [[Int]]) -> [Int] {
        var previous: [Int: Int] = [:]
        var queue = [start], head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for w in edges[v] where members.contains(w) {
                if w == start {
                    var path = [v], x = v
                    while x != start, let p = previous[x] { path.append(p); x = p }
                    return path.reversed()
                }
                if previous[w] == nil { previous[w] = v; queue.append(w) }
            }
        }
        return [start]
    }

    // MARK: Legs

    /// The legs of the argument, each by its top claim, in the order the argument reads
    /// (depth first, links in the order written).
    ///
    /// A leg is a claim tagged with a `family:` that the root reaches by `supported_by`
    /// without passing another tagged claim (Balesni et al. 2024's Scheming Inability,
    /// Harm Inability, Harm Control and Alignment arguments). A case that tags no family
    /// has as its legs the root's supporters, looking through a single strategy under the
    /// root: the way such a case is usually split. The scheming rules (H01–H05) read only
    /// tagged legs, so the two uses never disagree.
    public var legs: [Int] {
        if !familyLegs.isEmpty { return familyLegs }
        guard let r = root else { return [] }
        var children = support[r]
        if children.count == 1, nodes[children[0]].type == .strategy { children = support[children[0]] }
        return children
    }

    private func findFamilyLegs() -> [Int] {
        guard let r = root else { return [] }
        var seen = [Bool](repeating: false, count: nodes.count)
        seen[r] = true
        var result: [Int] = []
        var stack = [r]
        while let i = stack.popLast() {
            if i != r, nodes[i].scheming.family != nil, nodes[i].type == .claim {
                result.append(i)
                continue
            }
            for j in support[i].reversed() where !seen[j] {
                seen[j] = true
                stack.append(j)
            }
        }
        return result
    }
}
