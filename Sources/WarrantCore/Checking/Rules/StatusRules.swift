/// R01: a root that is not supported, explained by the nodes where the problem starts.
public enum StatusRules {
    public static func rootNotSupported(_ g: ArgumentGraph, statuses: [NodeStatus], into f: inout FindingList) {
        guard let r = g.root, statuses[r] != .supported else { return }
        let nodes = g.nodes
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
            case .defeater where statuses[i] == .open:
                // Listed itself, whether or not its own support is developed: a reader must
                // see the defeater, not only the missing evidence below it.
                frontier.append((i, "open defeater"))
            case .claim where node.undeveloped || node.supportedBy.isEmpty,
                 .strategy where node.undeveloped || node.supportedBy.isEmpty:
                frontier.append((i, "undeveloped claim or strategy"))
            default:
                if node.markedDefeated { frontier.append((i, "node marked defeated")) }
            }
            // Follow what is not supported; a challenger matters while it is not refuted.
            let assumptions = g.context[i].filter { nodes[$0].type == .assumption }
            for j in g.support[i] + assumptions + g.discharge[i] where !reached[j] && statuses[j] != .supported {
                reached[j] = true
                stack.append(j)
            }
            for j in g.challengers[i] where !reached[j] && statuses[j] != .defeated {
                reached[j] = true
                stack.append(j)
            }
        }
        frontier.sort { $0.index < $1.index }
        var counts: [String: Int] = [:]
        for entry in frontier { counts[entry.reason, default: 0] += 1 }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        var notes = frontier.prefix(8).map { entry in
            Finding.Note("\(g.describe(entry.index)) is \(statuses[entry.index] == .supported ? "sustained" : statuses[entry.index].rawValue)",
                         at: nodes[entry.index].location)
        }
        if frontier.count > 8 { notes.append(Finding.Note("and \(frontier.count - 8) more")) }
        f.emit(Rules.rootNotSupported, nodes[r].location,
               "the root \(g.describe(r)) is \(statuses[r].rawValue)" + (summary.isEmpty ? "" : ": \(summary)"),
               hint: f.level == .release ? "a release needs a supported root" : nil,
               notes: notes, node: nodes[r].id)
    }
}
