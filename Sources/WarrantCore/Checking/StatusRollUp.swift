/// Rolls node statuses up the argument, from evidence to the root (Assurance 2.0's
/// three values: supported, open, defeated).
///
/// A node's status depends on four groups of nodes, each read by name rather than by
/// position: its supporters, the assumptions in its context, what discharges it (for an
/// assumption), and the defeaters that challenge it. A node on a cycle sees the nodes
/// still being evaluated as open.
public enum StatusRollUp {
    /// Each node's status, by index.
    /// - Parameters:
    ///   - waived: assumptions accepted by a valid waiver.
    ///   - evidenceStatus: what the evidence store says of an evidence node.
    public static func statuses(_ g: ArgumentGraph, waived: [Bool],
                                evidenceStatus: (ArgumentNode) -> NodeStatus) -> [NodeStatus] {
        let assumptionContext = g.context.map { $0.filter { g.nodes[$0].type == .assumption } }
        // Only claims, strategies, evidence and defeaters develop an argument: a justification
        // or context linked as support (S19) supports nothing, as S11 reads it too.
        let support = g.support.map { $0.filter { [.claim, .strategy, .evidence, .defeater].contains(g.nodes[$0].type) } }
        // One dependency list per node, whose groups the combine step splits again by count.
        let dependencies: [[Int]] = g.nodes.indices.map { i in
            support[i] + assumptionContext[i] + g.discharge[i] + g.challengers[i]
        }
        let values = evaluatePostOrder(count: g.nodes.count, dependencies: { dependencies[$0] }) { i, values -> NodeStatus in
            var rest = values.map { $0 ?? .open }[...]
            func take(_ n: Int) -> [NodeStatus] {
                let group = Array(rest.prefix(n))
                rest = rest.dropFirst(n)
                return group
            }
            let inputs = Inputs(support: take(support[i].count), assumptions: take(assumptionContext[i].count),
                                dischargers: take(g.discharge[i].count), challengers: take(g.challengers[i].count))
            return status(of: g.nodes[i], inputs, incomplete: g.incomplete[i], waived: waived[i], evidenceStatus: evidenceStatus)
        }
        return values.map { $0 ?? .open }
    }

    /// The statuses a node's status is computed from.
    public struct Inputs: Sendable {
        public var support: [NodeStatus]
        public var assumptions: [NodeStatus]
        public var dischargers: [NodeStatus]
        public var challengers: [NodeStatus]

        public init(support: [NodeStatus] = [], assumptions: [NodeStatus] = [],
                    dischargers: [NodeStatus] = [], challengers: [NodeStatus] = []) {
            self.support = support
            self.assumptions = assumptions
            self.dischargers = dischargers
            self.challengers = challengers
        }
    }

    /// One node's status from the statuses of what it depends on.
    public static func status(of node: ArgumentNode, _ inputs: Inputs, incomplete: Bool, waived: Bool,
                              evidenceStatus: (ArgumentNode) -> NodeStatus) -> NodeStatus {
        if node.markedDefeated { return .defeated }
        // A sustained defeater defeats; an open one leaves the target open; a refuted one does nothing.
        var challenge = NodeStatus.supported
        for c in inputs.challengers {
            switch c {
            case .supported: challenge = .defeated
            case .open: if challenge == .supported { challenge = .open }
            case .defeated: break
            }
        }
        let base: NodeStatus
        switch node.type {
        case .evidence:
            base = evidenceStatus(node)
        case .context, .justification:
            base = .supported
        case .assumption:
            // Discharged when everything its `discharged_by` names is supported; a valid
            // waiver accepts it as residual risk.
            if waived {
                base = .supported
            } else if node.dischargedBy.isEmpty {
                base = .open
            } else {
                base = NodeStatus.all(incomplete ? [NodeStatus.open] + inputs.dischargers : inputs.dischargers)
            }
        case .claim, .strategy, .defeater:
            let assumptions = NodeStatus.all(inputs.assumptions)
            if node.undeveloped || node.supportedBy.isEmpty || inputs.support.isEmpty {
                base = NodeStatus.all([NodeStatus.open, assumptions])
            } else if let k = node.scheming.choiceMin {
                // k of the alternatives suffice.
                let supported = inputs.support.filter { $0 == .supported }.count
                let viable = inputs.support.filter { $0 != .defeated }.count
                let own: NodeStatus = supported >= k ? .supported : (viable < k ? .defeated : .open)
                base = NodeStatus.all([own, assumptions])
            } else {
                base = NodeStatus.all(inputs.support + inputs.assumptions + (incomplete ? [.open] : []))
            }
        }
        return NodeStatus.all([base, challenge])
    }
}
