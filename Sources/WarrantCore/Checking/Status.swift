/// A node's rolled-up status, three-valued after Assurance 2.0.
public enum NodeStatus: String, Sendable, Codable, CaseIterable {
    /// Everything the node needs holds.
    case supported
    /// Something is missing: an undeveloped claim, evidence without a passing record,
    /// an assumption not discharged, an open defeater.
    case open
    /// Something has failed: a sustained defeater, an invalidated assumption, failing evidence.
    case defeated

    /// Conjunction: defeated beats open beats supported.
    static func all<S: Sequence>(_ statuses: S) -> NodeStatus where S.Element == NodeStatus {
        var result = NodeStatus.supported
        for s in statuses {
            if s == .defeated { return .defeated }
            if s == .open { result = .open }
        }
        return result
    }
}

/// Iterative post-order evaluation over a dependency graph, so that a chain of
/// 100,000 nodes cannot overflow the stack. A dependency still being evaluated
/// (a cycle) is passed to `combine` as `nil`.
func evaluatePostOrder<Value>(
    count: Int,
    dependencies: (Int) -> [Int],
    combine: (Int, [Value?]) -> Value
) -> [Value?] {
    var values = [Value?](repeating: nil, count: count)
    var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on stack, 2 done
    var stack: [(node: Int, deps: [Int], next: Int)] = []
    for start in 0..<count where state[start] == 0 {
        state[start] = 1
        stack.append((start, dependencies(start), 0))
        while !stack.isEmpty {
            let top = stack.count - 1
            if stack[top].next < stack[top].deps.count {
                let d = stack[top].deps[stack[top].next]
                stack[top].next += 1
                if state[d] == 0 {
                    state[d] = 1
                    stack.append((d, dependencies(d), 0))
                }
            } else {
                let frame = stack.removeLast()
                values[frame.node] = combine(frame.node, frame.deps.map { state[$0] == 2 ? values[$0] : nil })
                state[frame.node] = 2
            }
        }
    }
    return values
}
