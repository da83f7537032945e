import Foundation
import WarrantNumerics

/// The Local Interaction Basis (Bushnaq et al. 2024) of a ReLU MLP, computed from the
/// output backwards with the closed-form Jacobian Gram matrix of a ReLU section
/// (the reference is `rib/linalg.py`; known answers in Tests/WarrantEvalsTests/LIBTests.swift): whiten each node layer, rotate into the eigenbasis of
/// the Gram matrix of the Jacobian onto the next layer's (already scaled) LIB features,
/// and scale by √Λ. Everything in Float64.
///
/// Two treatments of the constant (bias) direction, as the spec describes them:
/// - **centred** (default): activations are mean-centred and the constant direction is a
///   separate node, outside the basis, with importance Λ₀ = E_x‖J_x v‖², v = (μ, 1)
///   (``NodeLayer/constantImportance``). The non-constant directions are those of the
///   folded variant, because the masked eigendecomposition ignores the cross terms.
/// - **folded** (the reference code's, exactly as `rib` computes it with `center=True`):
///   every node layer but the output gets a constant 1 coordinate, the layer's bias folds
///   into its weight, and the constant direction is the first basis direction, kept out of
///   the rotation (known-answer test L7). As in `rib/models/utils.py::fold_mlp_in`, the
///   constant coordinate of a hidden layer is itself ReLU(constant) and is differentiated
///   through, with the next basis's constant row kept: this gives the constant direction's
///   Λ₀ and its edges; the other directions do not depend on it. Tested against a
///   rib-faithful torch script (Tests/WarrantEvalsTests/Fixtures/lib-rib).
public struct LocalInteractionBasis: Sendable {
    /// A model LIB cannot be computed for.
    public struct UnsupportedModel: Error, CustomStringConvertible {
        public var description: String
    }

    /// One node layer: the input of MLP layer `index` (the last one is the output).
    public struct NodeLayer: Sendable {
        public var index: Int
        public var mean: [Double]
        /// Directions kept after the first truncation (nonzero variance; with a folded bias,
        /// the constant direction counts).
        public var whitenedDimension: Int
        /// The basis C (d × r, or (d + 1) × r with a folded bias) and its pseudo-inverse C⁺.
        public var basis: Matrix<Double>
        public var inverse: Matrix<Double>
        /// Importance Λ: with a folded bias the constant direction's first, then descending.
        public var importance: [Double]
        /// Whether activations carry a trailing constant 1 coordinate (folded bias).
        public var foldedBias = false
        /// Centred variant: the constant direction's importance Λ₀ (nil for the output
        /// layer and for PCA).
        public var constantImportance: Double?
    }

    public var layers: [NodeLayer]
    public var threshold: Double

    /// Builds the basis of every node layer from activations of `inputs` (N × inputs).
    /// `pca: true` gives the PCA baseline through the same pipeline (C = U, no rotation);
    /// `foldBias: true` the folded-bias variant.
    public static func compute(_ model: MLP<Double>, inputs: Matrix<Double>, threshold: Double = 1e-12,
                               pca: Bool = false, foldBias: Bool = false) throws -> LocalInteractionBasis {
        // The closed-form Jacobian Gram matrix holds for ReLU sections only; any other
        // hidden activation would silently be taken as the identity.
        if let l = model.config.layers.dropLast().firstIndex(where: { $0.activation != .relu }) {
            throw UnsupportedModel(description: "LIB supports ReLU MLPs; layer \(l) uses \(model.config.layers[l].activation.rawValue), which Warrant's LIB does not compute (yet)")
        }
        var f = activations(model, inputs)
        let n = Double(inputs.rows)
        let k = model.layerCount
        // Every ReLU layer's mask second moment, before the loop centres activations in place.
        let masks: [Matrix<Double>?] = (0..<k).map { l in
            model.config.layers[l].activation == .relu && l + 1 < f.count ? Self.maskSecondMoment(f[l + 1]) : nil
        }
        var layers: [NodeLayer] = []
        // The output node layer: the identity basis (not rotated, no constant coordinate).
        let dOut = model.weights[k - 1].rows
        var next = Matrix<Double>.identity(dOut)
        layers.append(NodeLayer(index: k, mean: [], whitenedDimension: dOut, basis: next, inverse: next,
                                importance: [Double](repeating: 1, count: dOut)))
        for l in stride(from: k - 1, through: 0, by: -1) {
            let d = f[l].cols
            let mean = Self.centreInPlace(&f[l])
            let gram = LinearAlgebra.gram(f[l], alpha: 1 / n)
            let (values, vectors) = try LinearAlgebra.symmetricEigen(gram)
            let kept = values.indices.filter { values[$0] > threshold * Swift.max(1, values[0]) }
            // U and D of the (folded) Gram matrix. Folded, G = [[Cov, 0], [0, 1]] exactly, so
            // its eigenvectors are e_bias (eigenvalue 1, moved to the front) and (u, 0).
            let offset = foldBias ? 1 : 0
            let dim = d + offset, r0 = kept.count + offset
            var u = Matrix<Double>(rows: dim, cols: r0)
            var dValues = [Double](repeating: 1, count: r0)
            if foldBias { u[d, 0] = 1 }
            for (c, j) in kept.enumerated() {
                for row in 0..<d { u[row, c + offset] = vectors[row, j] }
                dValues[c + offset] = values[j]
            }
            // W = Y U and W⁺ = Uᵀ Y⁻¹, where x·Y = x − (μ, 0) centres folded activations; without
            // a folded bias, centring happens before the basis applies (W = U).
            var w = u, wPlus = u.transposed
            if foldBias {
                for c in 0..<r0 {
                    var dot = 0.0
                    for row in 0..<d { dot += mean[row] * u[row, c] }
                    w[d, c] = u[d, c] - dot
                    for col in 0..<d { wPlus[c, col] = u[col, c] + u[d, c] * mean[col] }
                    wPlus[c, d] = u[d, c]
                }
            }
            // The next layer's basis on its activations, and this section's weight with the bias
            // as an extra input row. A folded next layer also has a constant row c_b: its
            // coordinate is ReLU(this layer's constant), whose derivative is 1 (see below).
            let dNext = model.weights[l].rows
            let nextTop = next.rows == dNext ? next : next.rows(0..<dNext)
            let nextHasConstant = foldBias && next.rows == dNext + 1
            let wSection = Self.sectionWeight(model, layer: l, foldedBias: foldBias).transposed   // dim × d_next
            var p = LinearAlgebra.matmul(nextTop, nextTop, transposeB: true)   // P = C Cᵀ
            // The mean mask p̄ = E[m] (K's diagonal, since m² = m), before P is masked.
            let meanMask = (0..<dNext).map { a in masks[l].map { $0[a, a] } ?? 1 }
            if let kMask = masks[l] {
                p.withUnsafeMutableBufferPointer { pp in kMask.withUnsafeBufferPointer { kk in for i in pp.indices { pp[i] *= kk[i] } } }
            }
            // Λ₀ of the centred variant: c = W μ + b, Λ₀ = cᵀ (P ∘ K) c.
            var constantImportance: Double?
            if !foldBias && !pca {
                let c = Self.preActivationAtMean(model, layer: l, mean: mean)
                var total = 0.0
                for a in 0..<c.count { for b in 0..<c.count { total += c[a] * p[a, b] * c[b] } }
                constantImportance = total
            }
            if pca {
                layers.insert(NodeLayer(index: l, mean: mean, whitenedDimension: r0, basis: w, inverse: wPlus,
                                        importance: dValues, foldedBias: foldBias), at: 0)
                next = w
                continue
            }
            // R = W D^{-1/2}, R⁺ = D^{1/2} W⁺.
            var r = w, rPlus = wPlus
            for c in 0..<r0 {
                let s = dValues[c].squareRoot()
                for row in 0..<dim { r[row, c] /= s }
                for col in 0..<dim { rPlus[c, col] *= s }
            }
            // M' = W (P ∘ K) Wᵀ, M = R⁺ M' R⁺ᵀ.
            var mPrime = LinearAlgebra.matmul(LinearAlgebra.matmul(wSection, p), wSection, transposeB: true)
            if nextHasConstant {
                // The folded Jacobian has the extra output row e_d (∂ReLU(1·c)/∂c = 1), so
                // Jᵀ C = Aᵀ C_top + e_d c_b with A = diag(m) W̃. Then E[Jᵀ C Cᵀ J] adds to
                // W̃ᵀ (P ∘ K) W̃ the terms v e_dᵀ + e_d vᵀ, v = W̃ᵀ (p̄ ∘ C_top c_bᵀ), and
                // |c_b|² e_d e_dᵀ: only row and column d change, so only Λ₀ does.
                let bias = next.rows - 1
                var q = [Double](repeating: 0, count: dNext)
                var cb2 = 0.0
                for c in 0..<next.cols {
                    let cb = next[bias, c]
                    cb2 += cb * cb
                    for a in 0..<dNext { q[a] += next[a, c] * cb }
                }
                for j in 0..<dim {
                    var v = 0.0
                    for a in 0..<dNext { v += wSection[j, a] * meanMask[a] * q[a] }
                    mPrime[j, d] += v
                    mPrime[d, j] += v
                }
                mPrime[d, d] += cb2
            }
            let m = LinearAlgebra.matmul(LinearAlgebra.matmul(rPlus, mPrime), rPlus, transposeB: true)
            // Folded: the constant direction stays fixed (identity block), its λ the diagonal entry.
            var lambda: [Double], v: Matrix<Double>
            if foldBias {
                var sub = Matrix<Double>(rows: r0 - 1, cols: r0 - 1)
                for i in 1..<r0 { for j in 1..<r0 { sub[i - 1, j - 1] = m[i, j] } }
                let (subLambda, subV) = r0 > 1 ? try LinearAlgebra.symmetricEigen(sub) : ([], sub)
                lambda = [m[0, 0]] + subLambda
                v = Matrix<Double>(rows: r0, cols: r0)
                v[0, 0] = 1
                for i in 1..<r0 { for j in 1..<r0 { v[i, j] = subV[i - 1, j - 1] } }
            } else {
                (lambda, v) = try LinearAlgebra.symmetricEigen(m)
            }
            let scale = Swift.max(1, lambda.dropFirst(offset).first ?? lambda.first ?? 1)
            let keep = lambda.indices.filter { lambda[$0] > threshold * scale }
            var vk = Matrix<Double>(rows: v.rows, cols: keep.count)
            for (c, j) in keep.enumerated() { for row in 0..<v.rows { vk[row, c] = v[row, j] } }
            var basis = LinearAlgebra.matmul(r, vk)
            var inverse = LinearAlgebra.matmul(vk, transposeA: true, rPlus)
            for (c, j) in keep.enumerated() {
                let s = lambda[j].squareRoot()
                for row in 0..<dim { basis[row, c] *= s }
                for col in 0..<dim { inverse[c, col] /= s }
            }
            layers.insert(NodeLayer(index: l, mean: mean, whitenedDimension: r0, basis: basis, inverse: inverse,
                                    importance: keep.map { lambda[$0] }, foldedBias: foldBias,
                                    constantImportance: constantImportance), at: 0)
            next = basis
        }
        return LocalInteractionBasis(layers: layers, threshold: threshold)
    }

    /// What the basis needs from a forward pass: the input of every layer and, when the last
    /// layer has an activation, its output too. A ReLU layer's masks are read off its output
    /// (ReLU(z) > 0 exactly when z > 0), so no pre-activation is kept, and the output layer's
    /// GEMM is skipped when nothing needs it.
    static func activations(_ model: MLP<Double>, _ x: Matrix<Double>) -> [Matrix<Double>] {
        var out = [x]
        for i in 0..<model.layerCount {
            guard i + 1 < model.layerCount || model.config.layers[i].activation != .none else { break }
            var z = model.preActivation(layer: i, out[i])
            model.activate(&z, layer: i)
            out.append(z)
        }
        return out
    }

    /// Subtracts the column means from x in place and returns them (two passes, no copy).
    static func centreInPlace(_ x: inout Matrix<Double>) -> [Double] {
        let n = x.rows, d = x.cols
        var mean = [Double](repeating: 0, count: d)
        x.withUnsafeMutableBufferPointer { xp in
            mean.withUnsafeMutableBufferPointer { m in
                for t in 0..<n { let row = xp.baseAddress! + t * d; for j in 0..<d { m[j] += row[j] } }
                for j in 0..<d { m[j] /= Double(Swift.max(1, n)) }
                for t in 0..<n { let row = xp.baseAddress! + t * d; for j in 0..<d { row[j] -= m[j] } }
            }
        }
        return mean
    }

    /// K = (1/N) Σ_x m_x m_xᵀ for the ReLU masks m = 1[z > 0] of pre-activations z (N × d),
    /// or equally of the layer's outputs ReLU(z).
    /// The masks are bits, so K counts co-active pairs: pack each column into 64-bit words and
    /// AND-popcount pairs of columns. Exact, and far cheaper than a floating-point SYRK.
    static func maskSecondMoment(_ pre: Matrix<Double>) -> Matrix<Double> {
        let n = pre.rows, d = pre.cols, words = (n + 63) / 64
        var bits = [UInt64](repeating: 0, count: d * words)
        pre.withUnsafeBufferPointer { z in
            bits.withUnsafeMutableBufferPointer { b in
                // 64 rows at a time into one word per column, without branches, then store.
                var acc = [UInt64](repeating: 0, count: d)
                acc.withUnsafeMutableBufferPointer { w in
                    for word in 0..<words {
                        for a in 0..<d { w[a] = 0 }
                        for t in (word * 64)..<Swift.min(n, word * 64 + 64) {
                            let row = z.baseAddress! + t * d, shift = UInt64(t & 63)
                            for a in 0..<d { w[a] |= UInt64(row[a] > 0 ? 1 : 0) << shift }
                        }
                        for a in 0..<d { b[a * words + word] = w[a] }
                    }
                }
            }
        }
        var k = Matrix<Double>(rows: d, cols: d)
        let scale = 1 / Double(n)
        bits.withUnsafeBufferPointer { b in
            k.withUnsafeMutableBufferPointer { out in
                // Rows of the upper triangle, in two interleaved halves so both cores get work.
                // Each entry is written by one thread only, and concurrentPerform returns when both
                // are done, so the buffers outlive the work; they cross as addresses (Sendable).
                let outAddress = Int(bitPattern: out.baseAddress!), bitsAddress = Int(bitPattern: b.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    let base = UnsafeMutablePointer<Double>(bitPattern: outAddress)!
                    let bitsBase = UnsafePointer<UInt64>(bitPattern: bitsAddress)!
                    var a = part
                    while a < d {
                        let ra = bitsBase + a * words
                        for c in a..<d {
                            let rc = bitsBase + c * words
                            var count = 0
                            for w in 0..<words { count &+= (ra[w] & rc[w]).nonzeroBitCount }
                            let v = Double(count) * scale
                            base[a * d + c] = v
                            base[c * d + a] = v
                        }
                        a += 2
                    }
                }
            }
        }
        return k
    }

    /// The section from node layer l to l+1 in this basis's coordinates: the weight applied to
    /// (folded) activations, d_{l+1} × d_l (or × (d_l + 1) with the bias folded in).
    func sectionWeight(_ model: MLP<Double>, layer l: Int) -> Matrix<Double> {
        Self.sectionWeight(model, layer: l, foldedBias: layers[l].foldedBias)
    }

    /// Layer l's pre-activation at the mean input, c = W μ + b: what the centred variant's
    /// constant direction (μ, 1) feeds the next layer.
    static func preActivationAtMean(_ model: MLP<Double>, layer l: Int, mean: [Double]) -> [Double] {
        var c = model.biases[l]
        for a in 0..<c.count { for j in 0..<mean.count { c[a] += model.weights[l][a, j] * mean[j] } }
        return c
    }

    static func sectionWeight(_ model: MLP<Double>, layer l: Int, foldedBias: Bool) -> Matrix<Double> {
        guard foldedBias else { return model.weights[l] }
        let w = model.weights[l]
        var folded = Matrix<Double>(rows: w.rows, cols: w.cols + 1)
        for a in 0..<w.rows {
            for j in 0..<w.cols { folded[a, j] = w[a, j] }
            folded[a, w.cols] = model.biases[l][a]
        }
        return folded
    }

    /// The rows of node layer l's basis that act on activations (without the constant coordinate).
    func activationRows(layer l: Int, width: Int) -> Matrix<Double> {
        layers[l].basis.rows == width ? layers[l].basis : layers[l].basis.rows(0..<width)
    }

    /// The interaction graph between node layers l and l+1: squared gradient×input edges
    /// E_ij = E_x[(Ĵ_x,ij · f̂_x,j)²] with Ĵ_x = C^{l+1}ᵀ diag(m_x) Wᵀ C^{l+}ᵀ (gradient
    /// integration, α = 1). Batched as one GEMM per input feature j over all datapoints.
    /// Folded, Ĵ_x also carries the next layer's constant row (its coordinate's derivative
    /// with respect to this layer's constant coordinate is 1), as rib's autograd does.
    /// Returns r_{l+1} × r_l.
    public func edges(_ model: MLP<Double>, inputs: Matrix<Double>, layer l: Int) -> Matrix<Double> {
        edges(model, forward: model.forward(inputs), layer: l)
    }

    /// The interaction graph from a forward pass already made on the data (one pass can
    /// serve every transition and both bases).
    public func edges(_ model: MLP<Double>, forward f: MLP<Double>.Forward, layer l: Int) -> Matrix<Double> {
        let inputs = f.inputs[0]
        let n = Double(inputs.rows)
        let fhat = features(f.inputs[l], layer: l)                         // N × r_l
        let b = LinearAlgebra.matmul(sectionWeight(model, layer: l), layers[l].inverse, transposeB: true)  // d_{l+1} × r_l
        let width = model.weights[l].rows
        // A folded next layer keeps its constant row: its coordinate ReLU(c) has derivative 1
        // with respect to this layer's constant coordinate c = f̂·C⁺[:, bias].
        let constantOut = layers[l + 1].foldedBias && layers[l + 1].basis.rows == width + 1
        let next = constantOut ? layers[l + 1].basis : activationRows(layer: l + 1, width: width)  // d_{l+1}(+1) × r_{l+1}
        let inverse = layers[l].inverse, biasColumn = inverse.cols - 1
        var masks = f.pre[l]
        let relu = model.config.layers[l].activation == .relu
        masks.withUnsafeMutableBufferPointer { m in for i in m.indices { m[i] = relu ? (m[i] > 0 ? 1 : 0) : 1 } }
        let rl = fhat.cols, rn = next.cols, dm = b.rows, d = next.rows
        var out = Matrix<Double>(rows: rn, cols: rl)
        var x = Matrix<Double>(rows: inputs.rows, cols: d)
        for j in 0..<rl {
            x.withUnsafeMutableBufferPointer { xp in
                masks.withUnsafeBufferPointer { mp in
                    fhat.withUnsafeBufferPointer { fp in
                        for t in 0..<inputs.rows {
                            let fj = fp[t * rl + j]
                            for a in 0..<dm { xp[t * d + a] = mp[t * dm + a] * b[a, j] * fj }
                            if constantOut { xp[t * d + dm] = inverse[j, biasColumn] * fj }
                        }
                    }
                }
            }
            let y = LinearAlgebra.matmul(x, next)                           // N × r_{l+1}
            for i in 0..<rn {
                var s = 0.0
                for t in 0..<inputs.rows { s += y[t, i] * y[t, i] }
                out[i, j] = s / n
            }
        }
        return out
    }

    /// LIB activations of node layer `l` for given activations: f̂ = (f − μ)·C, or with a
    /// folded bias f̂ = (f, 1)·C (the basis does the centring).
    public func features(_ activations: Matrix<Double>, layer l: Int) -> Matrix<Double> {
        if layers[l].foldedBias { return LinearAlgebra.matmul(Self.appendingOne(activations), layers[l].basis) }
        var centred = activations
        if !layers[l].mean.isEmpty { Kernels.addRowVector(&centred, layers[l].mean.map { -$0 }) }
        return LinearAlgebra.matmul(centred, layers[l].basis)
    }

    /// Activations with a constant 1 column appended (folded-bias coordinates).
    static func appendingOne(_ x: Matrix<Double>) -> Matrix<Double> {
        var out = Matrix<Double>(rows: x.rows, cols: x.cols + 1)
        for t in 0..<x.rows {
            for j in 0..<x.cols { out[t, j] = x[t, j] }
            out[t, x.cols] = 1
        }
        return out
    }

    /// Activations back from LIB coordinates: f = f̂·C⁺ + μ, or with a folded bias the first
    /// d columns of f̂·C⁺.
    public func activations(fromFeatures fhat: Matrix<Double>, layer l: Int, width: Int) -> Matrix<Double> {
        var f = LinearAlgebra.matmul(fhat, layers[l].inverse)
        if layers[l].foldedBias {
            var out = Matrix<Double>(rows: f.rows, cols: width)
            for t in 0..<f.rows { for j in 0..<width { out[t, j] = f[t, j] } }
            return out
        }
        if !layers[l].mean.isEmpty { Kernels.addRowVector(&f, layers[l].mean) }
        return f
    }

    /// How many of the largest importances hold `fraction` of their sum.
    public static func directions(holding fraction: Double, of importance: [Double]) -> Int {
        let total = importance.reduce(0, +)
        var running = 0.0
        for (k, v) in importance.sorted(by: >).enumerated() {
            running += v
            if running >= fraction * total { return k + 1 }
        }
        return importance.count
    }
}
