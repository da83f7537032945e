import WarrantNumerics

/// Spline codes and exact boundary crossings of piecewise-linear networks
/// (the Polytope Lens, Black et al. 2022; known answers in Tests/WarrantEvalsTests/PolytopeTests.swift).
///
/// Conventions, recorded with every result: a neuron's bit is `z > 0` (a tie at exactly
/// 0 reads as 0); GELU layers use the same threshold on the pre-activation.
public enum Polytopes {
    public static let tieConvention = "bit = 1 iff pre-activation z > 0; GELU thresholded at 0 like ReLU"

    /// A bit-packed code: one bit per hidden neuron, layer after layer.
    public struct Code: Hashable, Sendable {
        public var words: [UInt64]

        public init(bits: [Bool]) {
            var words = [UInt64](repeating: 0, count: (bits.count + 63) / 64)
            for (k, b) in bits.enumerated() where b { words[k / 64] |= 1 << UInt64(k % 64) }
            self.words = words
        }

        /// Hamming distance by popcount.
        public func hamming(_ other: Code) -> Int {
            zip(words, other.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
        }
    }

    /// The codes of the hidden layers `from..<layerCount-1` for each row of `x`, where `x`
    /// is the input of layer `from` (0: the network input; L+1: layer L's activation space).
    public static func codes(_ model: MLP<Double>, _ x: Matrix<Double>, from: Int = 0) -> [Code] {
        var h = x
        var bits = [[Bool]](repeating: [], count: x.rows)
        for k in from..<(model.layerCount - 1) {
            let z = model.preActivation(layer: k, h)
            for r in 0..<z.rows { for j in 0..<z.cols { bits[r].append(z[r, j] > 0) } }
            h = z
            model.activate(&h, layer: k)
        }
        return bits.map(Code.init(bits:))
    }

    /// The activations of each hidden layer `from..<layerCount-1` for the rows of `x` (as
    /// ``codes(_:_:from:)`` reads them), by layer index.
    public static func hiddenActivations(_ model: MLP<Double>, _ x: Matrix<Double>, from: Int = 0) -> [(layer: Int, activations: Matrix<Double>)] {
        var h = x
        var out: [(Int, Matrix<Double>)] = []
        for k in from..<(model.layerCount - 1) {
            h = model.preActivation(layer: k, h)
            model.activate(&h, layer: k)
            out.append((k, h))
        }
        return out
    }

    /// Distinct codes among the points, and the fraction of points alone in their polytope.
    public static func regionStatistics(_ codes: [Code]) -> (distinct: Int, singletonFraction: Double) {
        var counts: [Code: Int] = [:]
        for c in codes { counts[c, default: 0] += 1 }
        let singletons = counts.values.filter { $0 == 1 }.count
        return (counts.count, codes.isEmpty ? 0 : Double(singletons) / Double(codes.count))
    }

    /// One boundary crossed on a path: where, and which neuron.
    public struct Crossing: Sendable, Equatable {
        public var t: Double
        public var layer: Int
        public var neuron: Int
    }

    public struct Walk: Sendable {
        public var crossings: [Crossing]
        /// Path length ‖b − a‖.
        public var length: Double
        /// Positions t where the predicted class (argmax of the output) changes.
        public var predictionChanges: [Double]
        public var regionsVisited: Int { crossings.count + 1 }
        public var density: Double { length > 0 ? Double(crossings.count) / length : 0 }
    }

    /// The exact line walk from `a` to `b`, points given as inputs of layer `from`. On each
    /// affine piece every pre-activation is affine in t, so the next sign change is found in
    /// closed form; the walk advances to the earliest one, flips that bit and goes on.
    /// ReLU networks only (GELU is not piecewise linear).
    ///
    /// Each layer's pre-activations are kept as the affine function z(t) = c + t·s. Flipping
    /// neuron i of layer k leaves layers up to k as they are and changes layer k+1 by
    /// ±(c_i + t·s_i)·W[:, i]: a rank-one update, carried through the later layers by one
    /// product with two rows each. So a crossing costs the later layers' weights once,
    /// not a forward pass of two vectors through the whole network; the arithmetic is the
    /// same up to rounding (the crossing times agree with ``referenceWalk`` to about 1e-13).
    public static func walk(_ model: MLP<Double>, from a: [Double], to b: [Double], startLayer from: Int = 0,
                            epsilon: Double = 1e-9) -> Walk {
        let hidden = Array(from..<(model.layerCount - 1))
        let direction = zip(b, a).map { $0 - $1 }
        let length = direction.map { $0 * $0 }.reduce(0, +).squareRoot()
        var codes = hidden.map { [Bool](repeating: false, count: model.weights[$0].rows) }
        let (z, dz, logits, dLogits) = piece(model, a, direction, from: from, codes: codes, fixFromSigns: true, codesOut: &codes)
        // state[m]: 2 × width of layer from+m, row 0 the intercept c, row 1 the slope s
        // (the output layer last). At t = 0 the intercept is the value.
        var state = zip(z + [logits], dz + [dLogits]).map { $0 + $1 }
        let widths = state.map { $0.count / 2 }
        var scratch = [Double](repeating: 0, count: 2 * (widths.max() ?? 0))
        var delta = scratch
        var t = 0.0
        var crossings: [Crossing] = []
        var changes: [Double] = []
        var flips: [(li: Int, i: Int, on: Bool)] = []
        while t < 1 {
            // The earliest zero ahead among all neurons.
            var next = Double.infinity
            for li in hidden.indices {
                state[li].withUnsafeBufferPointer { p in
                    let n = widths[li]
                    for i in 0..<n where p[n + i] != 0 {
                        let step = -(p[i] + t * p[n + i]) / p[n + i]
                        if step > epsilon { next = min(next, t + step) }
                    }
                }
            }
            let end = min(next, 1)
            let out = state[hidden.count], m = widths[hidden.count]
            let l = (0..<m).map { out[$0] + t * out[m + $0] }, dl = Array(out[m...])
            changes += predictionChanges(l, dl, from: t, to: end)
            if next >= 1 { break }
            flips.removeAll(keepingCapacity: true)
            for (li, k) in hidden.enumerated() {
                let n = widths[li]
                for i in 0..<n where state[li][n + i] != 0 {
                    let slope = state[li][n + i]
                    let step = -(state[li][i] + t * slope) / slope
                    if step > epsilon, abs(t + step - next) <= 1e-10 {
                        crossings.append(Crossing(t: next, layer: k, neuron: i))
                        flips.append((li, i, slope > 0))
                    }
                }
            }
            // Layer by layer, lowest first: a flip's change passes through later layers with
            // their codes as they still are, and their own flips then see the changed z.
            for f in flips where codes[f.li][f.i] != f.on {
                codes[f.li][f.i] = f.on
                let n = widths[f.li], sign = f.on ? 1.0 : -1.0
                let c = sign * state[f.li][f.i], s = sign * state[f.li][n + f.i]
                var layer = f.li + 1
                let w = model.weights[from + layer]
                let rows = widths[layer]
                w.withUnsafeBufferPointer { wp in
                    for j in 0..<rows {
                        let wji = wp[j * w.cols + f.i]
                        delta[j] = c * wji
                        delta[rows + j] = s * wji
                    }
                }
                while true {
                    let width = widths[layer]
                    for j in 0..<width {
                        state[layer][j] += delta[j]
                        state[layer][width + j] += delta[width + j]
                    }
                    if layer == hidden.count { break }
                    // The change in this layer's output, through its codes, into the next.
                    for j in 0..<width where !codes[layer][j] {
                        delta[j] = 0
                        delta[width + j] = 0
                    }
                    let wNext = model.weights[from + layer + 1]
                    let outs = widths[layer + 1]
                    wNext.withUnsafeBufferPointer { wp in
                        delta.withUnsafeBufferPointer { dp in
                            scratch.withUnsafeMutableBufferPointer { sp in
                                // Rows [c; s] (2 × width) times Wᵀ (width × outs). A layer
                                // of width 0 has no buffer and nothing to carry.
                                guard let d = dp.baseAddress, let w = wp.baseAddress, let out = sp.baseAddress else { return }
                                Double.gemm(false, true, 2, outs, width, 1, d, width, w, width, 0, out, outs)
                            }
                        }
                    }
                    swap(&delta, &scratch)
                    layer += 1
                }
            }
            t = next
        }
        return Walk(crossings: crossings, length: length, predictionChanges: changes)
    }

    /// The line walk as first written: after every crossing it runs the whole network again
    /// at the crossing point. ``walk(_:from:to:startLayer:epsilon:)`` gives the same crossings
    /// with a rank-one update instead; the tests hold the two together, and the polytope
    /// benchmark measures one against the other.
    public static func referenceWalk(_ model: MLP<Double>, from a: [Double], to b: [Double], startLayer from: Int = 0,
                            epsilon: Double = 1e-9) -> Walk {
        let hidden = Array(from..<(model.layerCount - 1))
        let direction = zip(b, a).map { $0 - $1 }
        let length = direction.map { $0 * $0 }.reduce(0, +).squareRoot()
        // Codes at the start (the sign of z, or of its derivative where z = 0).
        var codes = hidden.map { [Bool](repeating: false, count: model.weights[$0].rows) }
        var (z, dz, logits, dLogits) = piece(model, a, direction, from: from, codes: codes, fixFromSigns: true, codesOut: &codes)
        var t = 0.0
        var crossings: [Crossing] = []
        var changes: [Double] = []
        while t < 1 {
            // The earliest zero ahead among all neurons.
            var next = Double.infinity
            for (li, _) in hidden.enumerated() {
                for i in 0..<z[li].count where dz[li][i] != 0 {
                    let step = -z[li][i] / dz[li][i]
                    if step > epsilon { next = min(next, t + step) }
                }
            }
            let end = min(next, 1)
            changes += predictionChanges(logits, dLogits, from: t, to: end)
            if next >= 1 { break }
            for (li, k) in hidden.enumerated() {
                for i in 0..<z[li].count where dz[li][i] != 0 {
                    let step = -z[li][i] / dz[li][i]
                    if step > epsilon, abs(t + step - next) <= 1e-10 {
                        crossings.append(Crossing(t: next, layer: k, neuron: i))
                        codes[li][i] = dz[li][i] > 0
                    }
                }
            }
            t = next
            let point = zip(a, direction).map { $0 + t * $1 }
            (z, dz, logits, dLogits) = piece(model, point, direction, from: from, codes: codes, fixFromSigns: false, codesOut: &codes)
        }
        return Walk(crossings: crossings, length: length, predictionChanges: changes)
    }

    /// Pre-activations and their derivatives along `direction` at `point`, with the given
    /// codes (or, at the start, codes read from the signs).
    static func piece(_ model: MLP<Double>, _ point: [Double], _ direction: [Double], from: Int, codes: [[Bool]],
                      fixFromSigns: Bool, codesOut: inout [[Bool]]) -> ([[Double]], [[Double]], [Double], [Double]) {
        var h = point, dh = direction
        var zs: [[Double]] = [], dzs: [[Double]] = []
        var li = 0
        for k in from..<model.layerCount {
            let w = model.weights[k]
            var z = model.biases[k], dz = [Double](repeating: 0, count: w.rows)
            for i in 0..<w.rows {
                var s = 0.0, ds = 0.0
                for j in 0..<w.cols { s += w[i, j] * h[j]; ds += w[i, j] * dh[j] }
                z[i] += s
                dz[i] = ds
            }
            if k == model.layerCount - 1 { return (zs, dzs, z, dz) }
            if fixFromSigns {
                codesOut[li] = (0..<z.count).map { z[$0] > 0 || (z[$0] == 0 && dz[$0] > 0) }
            }
            let q = codesOut[li]
            h = (0..<z.count).map { q[$0] ? z[$0] : 0 }
            dh = (0..<z.count).map { q[$0] ? dz[$0] : 0 }
            zs.append(z.map { $0 })
            dzs.append(dz)
            li += 1
        }
        return (zs, dzs, [], [])
    }

    /// Where the argmax of affine logits l(t) = l + (t − t0)·l̇ changes within [t0, t1].
    static func predictionChanges(_ l: [Double], _ dl: [Double], from t0: Double, to t1: Double) -> [Double] {
        guard !l.isEmpty else { return [] }
        var out: [Double] = []
        var t = t0
        var current = argmax(l, dl, at: 0)
        while t < t1 {
            // The earliest class that overtakes the current one.
            var next = Double.infinity, winner = current
            for j in l.indices where j != current {
                let gap = l[current] - l[j] + (t - t0) * (dl[current] - dl[j])
                let closing = dl[j] - dl[current]
                if closing > 0 {
                    let at = t + gap / closing
                    if at < next, at > t { next = at; winner = j }
                }
            }
            if next >= t1 { break }
            out.append(next)
            current = winner
            t = next
        }
        return out
    }

    static func argmax(_ l: [Double], _ dl: [Double], at s: Double) -> Int {
        var best = 0
        for j in l.indices where l[j] + s * dl[j] > l[best] + s * dl[best] { best = j }
        return best
    }
}
