import Foundation
import WarrantNumerics

extension Polytopes {
    /// Exact count of the regions n affine hyperplanes `w_i·x + b_i = 0` cut R^d into, by
    /// checking every sign pattern for feasibility with a small linear program (maximise the
    /// margin δ subject to s_i(w_i·x + b_i) ≥ δ, δ ≤ 1, solved by vertex enumeration).
    /// For small n only (2ⁿ patterns); the oracle of known-answer test P1.
    public static func countRegions(weights w: [[Double]], biases b: [Double]) -> Int {
        let n = w.count, d = w.first?.count ?? 0
        precondition(n <= 12, "exact enumeration is for small arrangements")
        var count = 0
        for pattern in 0..<(1 << n) {
            let signs = (0..<n).map { pattern >> $0 & 1 == 1 ? 1.0 : -1.0 }
            if maximumMargin(w, b, signs, dimension: d) > 1e-9 { count += 1 }
        }
        return count
    }

    /// Zaslavsky: Σ_{i=0}^{d} C(n, i) regions for n hyperplanes in general position in R^d.
    public static func generalPositionRegions(hyperplanes n: Int, dimension d: Int) -> Int {
        (0...min(d, n)).reduce(0) { $0 + binomial(n, $1) }
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var r = 1
        for i in 0..<k { r = r * (n - i) / (i + 1) }
        return r
    }

    /// max δ over (x, δ) with s_i(w_i·x + b_i) − δ ≥ 0 and δ ≤ 1: the best vertex among
    /// all choices of d + 1 tight constraints.
    static func maximumMargin(_ w: [[Double]], _ b: [Double], _ s: [Double], dimension d: Int) -> Double {
        // Constraint rows over (x₁…x_d, δ): a·v ≥ c.
        var rows: [[Double]] = [], rhs: [Double] = []
        for i in w.indices {
            rows.append(w[i].map { $0 * s[i] } + [-1])
            rhs.append(-b[i] * s[i])
        }
        rows.append([Double](repeating: 0, count: d) + [-1])  // −δ ≥ −1
        rhs.append(-1)
        var best = -Double.infinity
        let m = rows.count, k = d + 1
        var choice = Array(0..<k)
        while true {
            if let v = solve(choice.map { rows[$0] }, choice.map { rhs[$0] }),
               zip(rows, rhs).allSatisfy({ zip($0.0, v).reduce(0) { $0 + $1.0 * $1.1 } >= $0.1 - 1e-9 }) {
                best = max(best, v[d])
            }
            // Next combination of k out of m.
            var i = k - 1
            while i >= 0 && choice[i] == m - k + i { i -= 1 }
            if i < 0 { break }
            choice[i] += 1
            for j in (i + 1)..<k { choice[j] = choice[j - 1] + 1 }
        }
        return best
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [[Double]], _ c: [Double]) -> [Double]? {
        var m = a, y = c
        let n = m.count
        for col in 0..<n {
            guard let p = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[p][col]) > 1e-12 else { return nil }
            m.swapAt(col, p)
            y.swapAt(col, p)
            for r in 0..<n where r != col {
                let f = m[r][col] / m[col][col]
                if f == 0 { continue }
                for k in col..<n { m[r][k] -= f * m[col][k] }
                y[r] -= f * y[col]
            }
        }
        return (0..<n).map { y[$0] / m[$0][$0] }
    }
}

/// Clustering points by their codes and by their activations, scored against labels:
/// are regions more monosemantic than directions? (Black et al. 2022, §3.3 protocol.)
public enum RegionPurity {
    /// Purity: the share of points whose cluster's majority label is their own.
    public static func purity(clusters: [Int], labels: [Int]) -> Double {
        var byCluster: [Int: [Int: Int]] = [:]
        for (c, l) in zip(clusters, labels) { byCluster[c, default: [:]][l, default: 0] += 1 }
        let majority = byCluster.values.reduce(0) { $0 + ($1.values.max() ?? 0) }
        return labels.isEmpty ? 0 : Double(majority) / Double(labels.count)
    }

    /// Normalised mutual information, NMI = 2·I(C; L) / (H(C) + H(L)).
    public static func nmi(clusters: [Int], labels: [Int]) -> Double {
        let n = Double(labels.count)
        guard n > 0 else { return 0 }
        var joint: [Int: [Int: Double]] = [:], pc: [Int: Double] = [:], pl: [Int: Double] = [:]
        for (c, l) in zip(clusters, labels) {
            joint[c, default: [:]][l, default: 0] += 1
            pc[c, default: 0] += 1
            pl[l, default: 0] += 1
        }
        func entropy(_ p: [Int: Double]) -> Double { -p.values.reduce(0) { $0 + ($1 / n) * log($1 / n) } }
        var mi = 0.0
        for (c, row) in joint { for (l, v) in row { mi += (v / n) * log((v / n) / ((pc[c]! / n) * (pl[l]! / n))) } }
        let h = entropy(pc) + entropy(pl)
        return h > 0 ? 2 * mi / h : 1
    }

    /// k-medoids (PAM-style swaps, deterministic start) under any distance; returns cluster ids.
    public static func kMedoids(count: Int, k: Int, distance: (Int, Int) -> Double, iterations: Int = 20) -> [Int] {
        guard count > 0 else { return [] }
        // Greedy start: the first point, then repeatedly the farthest from the chosen medoids.
        var medoids = [0]
        while medoids.count < min(k, count) {
            let next = (0..<count).max { a, b in
                medoids.map { distance(a, $0) }.min()! < medoids.map { distance(b, $0) }.min()!
            }!
            if medoids.contains(next) { break }
            medoids.append(next)
        }
        func assign() -> [Int] { (0..<count).map { p in medoids.indices.min { distance(p, medoids[$0]) < distance(p, medoids[$1]) }! } }
        var clusters = assign()
        for _ in 0..<iterations {
            var changed = false
            for (ci, _) in medoids.enumerated() {
                let members = (0..<count).filter { clusters[$0] == ci }
                guard let best = members.min(by: { a, b in
                    members.reduce(0) { $0 + distance(a, $1) } < members.reduce(0) { $0 + distance(b, $1) }
                }) else { continue }
                if best != medoids[ci] { medoids[ci] = best; changed = true }
            }
            clusters = assign()
            if !changed { break }
        }
        return clusters
    }
}
